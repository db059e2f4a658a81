// Upstream's $(VAR) expansion (third_party/forked/golang/expansion): `$(NAME)` becomes the
// variable's value when it is defined and stays as written when it is not; `$$` escapes a `$`.
// Used for env values (referring to earlier variables) and for command and args.
import type { Container } from 'kubernetes-types/core/v1.js';

const OPERATOR = '$';
const OPEN = '(';
const CLOSE = ')';

/** Expands `$(NAME)` references in `input` with `mapping`; unknown names are left as `$(NAME)`. */
export function expandVars(input: string, mapping: (name: string) => string | undefined): string {
  if (!input.includes(OPERATOR)) return input;
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== OPERATOR || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    if (next === OPERATOR) {
      // `$$` is an escaped operator.
      out += OPERATOR;
      cursor++;
      checkpoint = cursor + 1;
      continue;
    }
    if (next === OPEN) {
      const end = input.indexOf(CLOSE, cursor + 2);
      if (end < 0) {
        // No closing bracket: the rest is literal.
        out += input.slice(cursor);
        return out;
      }
      const name = input.slice(cursor + 2, end);
      const value = mapping(name);
      out += value ?? `${OPERATOR}${OPEN}${name}${CLOSE}`;
      cursor = end;
      checkpoint = end + 1;
      continue;
    }
    // A lone `$` followed by anything else stays as written.
    out += OPERATOR + next;
    cursor++;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** A mapping function over an ordered env list (the last definition of a name wins, as upstream). */
export function mappingOf(envs: readonly { name: string; value: string }[]): (name: string) => string | undefined {
  const m = new Map<string, string>();
  for (const e of envs) m.set(e.name, e.value);
  return (name) => m.get(name);
}

/** Upstream ExpandContainerCommandAndArgs: $(VAR) in command and args from the container's final environment. */
export function expandContainerCommandAndArgs(container: Container, envs: readonly { name: string; value: string }[]): { command: string[]; args: string[] } {
  const mapping = mappingOf(envs);
  return {
    command: (container.command ?? []).map((c) => expandVars(c, mapping)),
    args: (container.args ?? []).map((a) => expandVars(a, mapping)),
  };
}
