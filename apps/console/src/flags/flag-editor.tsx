import { FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import type { Flag, FlagConstraint, FlagContextField, FlagReach } from '../api/types';
import { DraftConstraint, fromDraft, toDraft } from './flag-draft';
import { useSession } from '../auth/session';
import { Notice } from '../common/states';
import { formatNumber, t } from '../i18n/i18n';

const CONTEXT_FIELDS: FlagContextField[] = ['regionId', 'orgId', 'plan', 'clinicId'];

/**
 * Creates a flag (with a name) or edits one's targeting: rules ("strategies"), each a set of
 * conditions on region, organization, plan or clinic that must all hold; the flag is on where it
 * is enabled and any rule holds (no rule: everyone). "Preview" asks the control plane which
 * organizations the definition would reach, without saving it.
 */
export function FlagEditor({ flag, onSaved, onCancel }: { flag?: Flag; onSaved: (flag: Flag) => void; onCancel: () => void }) {
  const { api } = useSession();
  const id = flag ? `edit-${flag.name}` : 'new-flag';
  const [name, setName] = useState(flag?.name ?? '');
  const [description, setDescription] = useState(flag?.description ?? '');
  const [enabled, setEnabled] = useState(flag?.enabled ?? false);
  const [draft, setDraft] = useState<DraftConstraint[][]>(toDraft(flag?.strategies ?? []));
  const [reach, setReach] = useState<FlagReach | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const change = (next: DraftConstraint[][]) => {
    setDraft(next);
    setReach(null); // a preview is of the definition it was asked for
  };
  const setConstraint = (si: number, ci: number, patch: Partial<DraftConstraint>) =>
    change(draft.map((s, i) => (i === si ? s.map((c, j) => (j === ci ? { ...c, ...patch } : c)) : s)));

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const preview = () => run(async () => setReach(await api.flags.preview({ enabled, strategies: fromDraft(draft) })));
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => onSaved(await api.flags.put({ name: name.trim(), description, enabled, strategies: fromDraft(draft) })));
  };

  return (
    <form className="confirm flag-editor" onSubmit={save} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{flag ? t('flagEditor.editTitle', { name: flag.name }) : t('flagEditor.newTitle')}</h3>
      {!flag && (
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('flagEditor.name')}</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required pattern="[a-z][a-z0-9_]{1,63}" aria-describedby={`${id}-name-hint`} />
          <p className="hint" id={`${id}-name-hint`}>
            {t('flagEditor.nameHint')}
          </p>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-description`}>{t('flagEditor.description')}</label>
        <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
      </div>
      <div className="field checkbox">
        <input id={`${id}-enabled`} type="checkbox" checked={enabled} onChange={(e) => (setEnabled(e.target.checked), setReach(null))} />
        <label htmlFor={`${id}-enabled`}>{t('flagEditor.enabled')}</label>
      </div>
      {draft.length === 0 && <p className="muted">{t('flagEditor.noRules')}</p>}
      {draft.map((constraints, si) => (
        <fieldset key={si} className="rule">
          <legend>{t('flagEditor.rule', { n: si + 1 })}</legend>
          {constraints.length === 0 && <p className="muted">{t('flagEditor.ruleEveryone')}</p>}
          {constraints.map((c, ci) => {
            const base = `${id}-r${si}-c${ci}`;
            const label = t('flagEditor.condition', { rule: si + 1, n: ci + 1 });
            return (
              <div key={ci} className="inline-field condition" role="group" aria-label={label}>
                <select id={`${base}-field`} aria-label={`${label}: ${t('flagEditor.field')}`} value={c.contextName} onChange={(e) => setConstraint(si, ci, { contextName: e.target.value as FlagContextField })}>
                  {CONTEXT_FIELDS.map((f) => (
                    <option key={f} value={f}>
                      {t(`flagEditor.field.${f}`)}
                    </option>
                  ))}
                </select>
                <select id={`${base}-operator`} aria-label={`${label}: ${t('flagEditor.operator')}`} value={c.operator} onChange={(e) => setConstraint(si, ci, { operator: e.target.value as FlagConstraint['operator'] })}>
                  <option value="IN">{t('flagEditor.in')}</option>
                  <option value="NOT_IN">{t('flagEditor.notIn')}</option>
                </select>
                <input id={`${base}-values`} aria-label={`${label}: ${t('flagEditor.values')}`} value={c.values} onChange={(e) => setConstraint(si, ci, { values: e.target.value })} placeholder={t('flagEditor.valuesHint')} />
                <button type="button" onClick={() => change(draft.map((s, i) => (i === si ? s.filter((_, j) => j !== ci) : s)))}>
                  {t('flagEditor.removeCondition')}
                </button>
              </div>
            );
          })}
          <div className="actions">
            <button type="button" onClick={() => change(draft.map((s, i) => (i === si ? [...s, { contextName: 'regionId', operator: 'IN', values: '' }] : s)))}>
              {t('flagEditor.addCondition')}
            </button>
            <button type="button" onClick={() => change(draft.filter((_, i) => i !== si))}>
              {t('flagEditor.removeRule')}
            </button>
          </div>
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" onClick={() => change([...draft, [{ contextName: 'regionId', operator: 'IN', values: '' }]])}>
          {t('flagEditor.addRule')}
        </button>
        <button type="button" onClick={() => void preview()} disabled={busy}>
          {t('flagEditor.preview')}
        </button>
      </div>
      {reach && (
        <div className="notice" role="status" data-testid="flag-reach">
          <p>{t('flagEditor.reaches', { reached: formatNumber(reach.reached), total: formatNumber(reach.total) })}</p>
          {reach.reached > 0 && (
            <p className="muted small">
              {Object.entries(reach.byRegion)
                .map(([region, n]) => `${region} ${formatNumber(n)}`)
                .join(', ')}
              {reach.organizations.length > 0 && ` · ${reach.organizations.slice(0, 10).map((o) => o.slug).join(', ')}${reach.reached > 10 ? ' …' : ''}`}
            </p>
          )}
          {reach.dependsOnClinic && <p className="muted small">{t('flagEditor.dependsOnClinic')}</p>}
        </div>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('flagEditor.save')}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {t('flagEditor.cancel')}
        </button>
      </div>
    </form>
  );
}
