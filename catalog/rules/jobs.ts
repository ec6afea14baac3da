import { CronExpressionParser } from "cron-parser";
import { durationSeconds } from "./quantities";
import type { Rule, RuleIssue } from "./types";

const MAX_TASK_TIMEOUT_S = 168 * 3600;

// A fleet names a handful of zones; asking ICU costs a formatter each time.
const zones = new Map<string, boolean>();

function validTimeZone(tz: string): boolean {
  let valid = zones.get(tz);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      valid = true;
    } catch {
      valid = false;
    }
    zones.set(tz, valid);
  }
  return valid;
}

export const jobRule: Rule = (spec) => {
  if (spec.kind !== "job") return [];
  const issues: RuleIssue[] = [];
  if (spec.parallelism !== undefined && spec.parallelism > spec.tasks) {
    issues.push({ path: ["parallelism"], message: `parallelism ${spec.parallelism} is above tasks ${spec.tasks}` });
  }
  const timeout = durationSeconds(spec.taskTimeout);
  if (timeout < 1 || timeout > MAX_TASK_TIMEOUT_S) {
    issues.push({ path: ["taskTimeout"], message: `"${spec.taskTimeout}" is out of range: a task timeout is 1s to 168h` });
  }
  if (spec.schedule) {
    const fields = spec.schedule.cron.trim().split(/\s+/);
    let cronError: string | undefined;
    if (fields.length !== 5) cronError = `has ${fields.length} fields; Cloud Scheduler takes unix-cron with 5 (minute hour day-of-month month day-of-week)`;
    else {
      try {
        CronExpressionParser.parse(spec.schedule.cron);
      } catch (e) {
        cronError = (e as Error).message;
      }
    }
    if (cronError) issues.push({ path: ["schedule", "cron"], message: `"${spec.schedule.cron}" is not a valid schedule: ${cronError}` });
    if (!validTimeZone(spec.schedule.timeZone)) {
      issues.push({ path: ["schedule", "timeZone"], message: `"${spec.schedule.timeZone}" is not a tz database time zone such as "Europe/Berlin" or "Etc/UTC"` });
    }
  }
  return issues;
};
