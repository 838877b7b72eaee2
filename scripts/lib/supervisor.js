'use strict';
/**
 * The supervision of `npm start`'s long-running children (each Postgres, each Azurite, the
 * regional APIs, the control plane, the gateway).
 *
 * An unexpected exit restarts the child, alone: after 0.5 s, then 1, 2, 4, 8 and at most 10 s
 * while it keeps dying soon after each start; the delay is back at 0.5 s once it has run for 30 s.
 * Each restart is one line on the console and in .medgenie/logs/supervisor.log (and a marker line
 * in the child's own log; from the second failure in a row, the end of that log too), and a line
 * when it answers again. A child that has never answered yet (the platform is booting) gets
 * BOOT_ATTEMPTS starts, and none after exit code 78 (its configuration was refused): then the
 * boot fails with the end of its log, since a build or configuration that cannot work is better
 * reported than retried forever. Once it has answered, it is restarted for as long as it takes.
 * `stop()` (Ctrl-C, SIGTERM) cancels pending restarts: what exits from then on stays down.
 */
const fs = require('node:fs');
const { setTimeout, clearTimeout } = require('node:timers');
const { paths, log, rel, sleep } = require('./local');

const BACKOFF_INITIAL_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** A child that ran this long before it died was healthy: its next restart is immediate again (0.5 s). */
const HEALTHY_AFTER_MS = 30_000;
/** Starts a child gets before it first answered (while the platform boots). */
const BOOT_ATTEMPTS = 5;

const seconds = (ms) => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;
const alive = (child) => child.exitCode === null && child.signalCode === null;

/** One line on the console and in .medgenie/logs/supervisor.log. */
function report(message) {
  log(message);
  try {
    fs.mkdirSync(paths.logs, { recursive: true });
    fs.appendFileSync(paths.log('supervisor'), `${new Date().toISOString()} ${message}\n`, { mode: 0o600 });
  } catch {
    /* the console line is enough */
  }
}

/** The last lines of a service's log, indented, without the marker lines written here. */
function lastLines(file, count) {
  try {
    const lines = fs
      .readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .filter((line) => line && !line.startsWith('----- '));
    return lines
      .slice(-count)
      .map((line) => `    ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`)
      .join('\n');
  } catch {
    return '    (no log)';
  }
}

function mark(logFile, message) {
  try {
    fs.appendFileSync(logFile, `----- ${new Date().toISOString()} npm start (pid ${process.pid}): ${message} -----\n`);
  } catch {
    /* no log to mark */
  }
}

class Supervisor {
  /**
   * @param {{ onFatal: () => void, onChange?: () => void }} hooks onFatal: a child died before it
   *   was supervised (the boot fails); onChange: the set of child pids changed (run.json).
   */
  constructor({ onFatal, onChange }) {
    this.onFatal = onFatal;
    this.onChange = onChange ?? (() => undefined);
    /** @type {object[]} */
    this.services = [];
    this.stopping = false;
  }

  /**
   * Starts a service and keeps it. `spawn()` starts its process and returns the ChildProcess (in a
   * process group of its own); `ready(child, timeoutMs)` resolves once that child answers, rejects
   * if it exits or does not answer in time; `beforeRestart(deadChild)` tidies up after a death
   * (e.g. a stale lock file); `stopSignal` is what a shutdown that raced its start sends it.
   */
  add({ name, kind, marker, logFile, spawn, ready, beforeRestart, stopSignal = 'SIGTERM' }) {
    const service = {
      name,
      kind,
      marker,
      logFile,
      spawn,
      ready,
      beforeRestart,
      stopSignal,
      child: null,
      answered: false,
      gaveUp: false,
      startedAt: 0,
      delay: BACKOFF_INITIAL_MS,
      failures: 0,
      restarts: 0,
      timer: null,
    };
    this.services.push(service);
    this.launch(service);
    return service;
  }

  /**
   * Resolves once the service answers (`ready`), through restarts while it boots; rejects when it
   * does not within timeoutMs, when it has used up its BOOT_ATTEMPTS, or when stopping.
   */
  async waitUntilReady(service, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const child = service.child;
      try {
        await service.ready(child, Math.max(deadline - Date.now(), 1_000));
        service.answered = true;
        return;
      } catch (err) {
        if (this.stopping || service.gaveUp || Date.now() >= deadline || (service.child === child && alive(child))) throw err;
      }
      // It died: wait for its restart (or the end).
      while (service.child === child && !this.stopping && !service.gaveUp && Date.now() < deadline) await sleep(100);
    }
  }

  /** Shutdown: no more restarts (pending ones are cancelled). */
  stop() {
    this.stopping = true;
    for (const service of this.services) {
      if (service.timer) clearTimeout(service.timer);
      service.timer = null;
    }
  }

  launch(service) {
    const child = service.spawn();
    service.child = child;
    service.startedAt = Date.now();
    child.once('exit', (code, signal) => this.exited(service, child, { code, signal }));
    child.on('error', (err) => {
      // A process that could not be started emits 'error' and no 'exit'.
      if (child.pid === undefined) this.exited(service, child, { error: err });
    });
    this.onChange();
    if (this.stopping && child.pid !== undefined) child.kill(service.stopSignal); // a shutdown raced this start
    return child;
  }

  exited(service, child, { code, signal, error }) {
    if (service.child !== child || child.handled) return;
    child.handled = true;
    if (this.stopping) return;
    const why = error ? `could not start: ${error.message}` : (signal ?? `exit ${code}`);
    const refused = code === 78 ? ': its configuration was refused' : '';
    const ran = Date.now() - service.startedAt;
    if (ran >= HEALTHY_AFTER_MS) {
      service.delay = BACKOFF_INITIAL_MS;
      service.failures = 0;
    }
    service.failures += 1;
    if (!service.answered && (code === 78 || service.failures >= BOOT_ATTEMPTS)) {
      service.gaveUp = true;
      const tries = service.failures > 1 ? ` (${service.failures} starts, none answered)` : '';
      log(`${service.name} exited unexpectedly (${why})${refused}${tries}; the end of ${rel(service.logFile)}:\n${lastLines(service.logFile, 15)}`);
      this.onFatal();
      return;
    }
    const delay = service.delay;
    service.delay = Math.min(delay * 2, BACKOFF_MAX_MS);
    const pid = child.pid === undefined ? '' : ` (pid ${child.pid})`;
    // While booting, the end of its log comes once, if it gives up; afterwards, with each repeated failure.
    const again = !service.answered
      ? ` (start ${service.failures + 1} of at most ${BOOT_ATTEMPTS})`
      : service.failures > 1
        ? `; it failed ${service.failures} times in a row, the end of ${rel(service.logFile)}:\n${lastLines(service.logFile, 6)}`
        : '';
    report(`${service.name}${pid} exited unexpectedly (${why})${refused} after ${seconds(ran)}; restarting it in ${seconds(delay)}${again}`);
    mark(service.logFile, `exited (${why}); restarting in ${seconds(delay)}`);
    service.timer = setTimeout(() => void this.restart(service, child), delay);
  }

  async restart(service, dead) {
    service.timer = null;
    if (this.stopping) return;
    try {
      await service.beforeRestart?.(dead);
    } catch (err) {
      report(`${service.name}: while tidying up before the restart: ${err.message}`);
    }
    if (this.stopping) return;
    service.restarts += 1;
    let child;
    try {
      child = this.launch(service);
    } catch (err) {
      // spawn() threw: counts as a failed start (retried with the next delay).
      const failed = { pid: undefined, exitCode: 1, signalCode: null, once() {}, on() {}, kill() {} };
      service.child = failed;
      service.startedAt = Date.now();
      this.exited(service, failed, { error: err });
      return;
    }
    if (child.pid === undefined) return; // 'error' follows, and schedules the next try
    report(`restarted ${service.name} (pid ${child.pid}, restart ${service.restarts})`);
    if (!service.answered) return; // still booting: waitUntilReady follows it
    service.ready(child, 300_000).then(
      () => {
        if (!this.stopping && service.child === child && alive(child)) report(`${service.name} answers again (pid ${child.pid})`);
      },
      (err) => {
        // Died again: its exit is reported. Alive but not answering: say so (it keeps running).
        if (!this.stopping && service.child === child && alive(child)) report(`${service.name} (pid ${child.pid}) was restarted but does not answer: ${err.message}`);
      },
    );
  }
}

module.exports = { Supervisor, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, HEALTHY_AFTER_MS, BOOT_ATTEMPTS };
