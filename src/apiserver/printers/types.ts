// Table printing (upstream pkg/printers/internalversion): per kind, the columns kubectl shows
// and how to compute each row's cells. Priority 1 columns are the `-o wide` ones.

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface Printer<T = any> {
  columns: readonly TableColumnDefinition[];
  /**
   * The cells of one row, one per column (priority 1 columns included: the server always builds
   * the wide table, as upstream's TableConvertor does, and kubectl hides those without `-o wide`),
   * in column order (the first is the name, except Event's LAST SEEN). `obj` is in the shape of
   * the storage version the map key names. `now` is
   * the time the table is built, for AGE and other durations. Cells are strings, numbers,
   * booleans or null (upstream `<none>` / `<unknown>` are strings).
   */
  cells(obj: T, now: number): unknown[];
  /**
   * Optional metav1.TableRowCondition list of a row (upstream sets `Completed` on finished
   * pods). Absent or empty means the row carries no conditions.
   */
  conditions?(obj: T): TableRowCondition[];
}

/** metav1.TableRowCondition. */
export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** Key: `group/Kind` of the storage version (`/Pod` for core, `apps/Deployment`). */
export type PrinterMap = Record<string, Printer>;
