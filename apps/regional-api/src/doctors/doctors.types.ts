/** One window of a weekly schedule, in the clinic's time zone: ISO weekday (Monday = 1), "HH:MM". */
export interface ScheduleWindow {
  weekday: number;
  start: string;
  end: string;
}
