import { containerAt, findStep } from '../../flow/model';
import type { Branch, RouterStep } from '../../flow/types';
import { useEditorStore } from '../../store/editor-store';
import { ConditionInput } from './condition-input';
import { FieldShell } from './field-shell';

/**
 * A router: how branches are picked, and each branch's condition (a branch without one is the
 * fallback). Branch names are what edges refer to, so they are shown, not edited, here; a branch
 * can be removed once nothing hangs from it.
 */
export function RouterForm({ step, onPatch }: { step: RouterStep; onPatch: (patch: Record<string, unknown>, coalesce?: string) => void }) {
  const doc = useEditorStore((s) => s.doc);
  const loc = doc ? findStep(doc, step.id) : undefined;
  const edges = doc && loc ? (containerAt(doc, loc.scope)?.edges ?? []) : [];
  const used = new Set(edges.filter((e) => e.from === step.id && e.branch).map((e) => e.branch!));
  const id = `step-${step.id}`;
  const setBranches = (branches: Branch[], coalesce?: string) => onPatch({ branches }, coalesce);
  const addBranch = () => {
    const names = new Set(step.branches.map((b) => b.name));
    let n = step.branches.length + 1;
    while (names.has(`branch_${n}`)) n++;
    const fallback = step.branches.findIndex((b) => b.condition === undefined);
    const next = step.branches.slice();
    next.splice(fallback < 0 ? next.length : fallback, 0, { name: `branch_${n}`, condition: 'true' });
    setBranches(next);
  };
  return (
    <>
      <FieldShell id={`${id}-mode`} label="Which branches run">
        <select id={`${id}-mode`} value={step.mode ?? 'first_match'} onChange={(e) => onPatch({ mode: e.target.value })}>
          <option value="first_match">The first one whose condition is true</option>
          <option value="all_match">Every one whose condition is true</option>
        </select>
      </FieldShell>
      <ol className="branch-list">
        {step.branches.map((b, i) => (
          <li key={b.name}>
            <div className="branch-head">
              <strong>{b.name}</strong>
              {!used.has(b.name) && step.branches.length > 1 && (
                <button type="button" className="button small ghost" aria-label={`Remove branch ${b.name}`} onClick={() => setBranches(step.branches.filter((_, j) => j !== i))}>
                  Remove
                </button>
              )}
            </div>
            {b.condition === undefined ? (
              <p className="muted small-text">Fallback: taken when no other branch matches.</p>
            ) : (
              <ConditionInput
                id={`${id}-branch-${i}`}
                label={`Condition of ${b.name}`}
                value={b.condition}
                onChange={(v) => setBranches(step.branches.map((x, j) => (j === i ? { ...x, condition: v ?? '' } : x)), `${step.id}:branch.${b.name}`)}
              />
            )}
          </li>
        ))}
      </ol>
      <button type="button" className="button small" onClick={addBranch}>
        + Add a branch
      </button>
    </>
  );
}
