import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

const COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0f766e'];

export interface ChartSeries {
  label: string;
  data: number[];
}

/**
 * A Chart.js chart of usage. The canvas is an image for assistive technology, labelled with its
 * title; the same figures follow as a table.
 */
export interface UsageChartProps {
  title: string;
  labels: string[];
  datasets: ChartSeries[];
  kind: 'bar' | 'line';
}

export function UsageChart({ title, labels, datasets, kind }: UsageChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: kind,
      data: {
        labels,
        datasets: datasets.map((d, i) => ({ label: d.label, data: d.data, backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length] })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    });
    return () => chart.destroy();
  }, [labels, datasets, kind]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={title} data-testid="usage-chart" />
      </div>
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
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {datasets.map((d) => (
                  <td key={d.label}>{d.data[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
