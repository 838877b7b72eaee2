import { t } from '../i18n/i18n';
import { RANGES, RangeDays } from './usage-series';

/** The period a chart over time covers: the last 30, 90 or 365 days. */
export function RangeSelect({ id, value, onChange }: { id: string; value: RangeDays; onChange: (days: RangeDays) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>{t('usage.range')}</label>
      <select id={id} value={value} onChange={(e) => onChange(Number(e.target.value) as RangeDays)}>
        {RANGES.map((days) => (
          <option key={days} value={days}>
            {t('usage.lastDays', { days })}
          </option>
        ))}
      </select>
    </div>
  );
}
