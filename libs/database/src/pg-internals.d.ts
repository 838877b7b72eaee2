/** pg's own value serializer (Dates, arrays, JSON, Buffers as pg sends them), exported by pg under `./lib/*`. */
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): unknown;
}
