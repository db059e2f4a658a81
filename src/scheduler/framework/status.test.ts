import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitErrorMessage, FitError, newDiagnosis, Status } from './status.js';

describe('FitError', () => {
  it('counts and sorts reasons as upstream', () => {
    const d = newDiagnosis();
    d.nodeToStatus.set('cp', Status.unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'));
    d.nodeToStatus.set('n1', Status.unschedulable('Insufficient cpu'));
    d.nodeToStatus.set('n2', Status.unschedulable('Insufficient cpu', 'Insufficient memory'));
    d.postFilterMsg = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    assert.equal(
      new FitError(3, d).message,
      '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('uses the PreFilter message alone when PreFilter rejected', () => {
    const d = newDiagnosis();
    d.preFilterMsg = 'pod has unbound immediate PersistentVolumeClaims';
    d.nodeToStatus.absent = Status.unresolvable('pod has unbound immediate PersistentVolumeClaims');
    assert.equal(fitErrorMessage(2, d), '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
  });

  it('counts nodes absent from the map with the absent status', () => {
    const d = newDiagnosis();
    d.nodeToStatus.absent = Status.unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
    d.nodeToStatus.set('n1', Status.unschedulable('Insufficient cpu'));
    assert.equal(fitErrorMessage(5, d), "0/5 nodes are available: 1 Insufficient cpu, 4 node(s) didn't satisfy plugin(s) [NodeAffinity].");
  });
});
