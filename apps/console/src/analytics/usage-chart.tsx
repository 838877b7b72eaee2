import { useEffect, useRef } from 'react';
import { formatNumber, t } from '../i18n/i18n';
import type { ChartSeries } from './usage-series';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

const COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0f766e'];


export interface UsageChartProps {
  title: string;
  labels: string[];
  datasets: ChartSeries[];
  kind: 'bar' | 'line';
  /** How a figure reads in the table (default: a plain number). */
  format?: (value: number) => string;
}

/**
 * A Chart.js chart of usage. The canvas is an image for assistive technology, labelled with its
 * title; the same figures follow as a table (days with nothing collected left out of it; a line
 * drawn across them).
 */
export function UsageChart({ title, labels, datasets, kind, format = formatNumber }: UsageChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: kind,
      data: {
        labels,
        datasets: datasets.map((d, i) => ({ label: d.label, data: d.data, backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length], spanGaps: true, pointRadius: 3 })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    });
    return () => chart.destroy();
  }, [labels, datasets, kind]);

  const rows = labels.map((label, i) => ({ label, i })).filter(({ i }) => datasets.some((d) => d.data[i] !== null && d.data[i] !== undefined));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={title} data-testid="usage-chart" />
      </div>
      <details className="figures">
        <summary>{t('chart.figures')}</summary>
        <div className="table-wrap" tabIndex={0} role="region" aria-label={title}>
          <table className="compact">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{'\u00a0'}</th>
                {datasets.map((d) => (
                  <th scope="col" key={d.label}>
                    {d.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(({ label, i }) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {datasets.map((d) => {
                    const value = d.data[i];
                    return <td key={d.label}>{value === null || value === undefined ? '—' : format(value)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
