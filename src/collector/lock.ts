// One run per state folder and name: a lock file `<dir>/<name>.lock` holding the owner's pid and
// start time. A lock whose owner is gone (a hard kill leaves one) is taken over. Used for the
// modular input's checkpoint_dir and reusable for any other state folder.
import * as fs from "node:fs";
import * as path from "node:path";
import { stateStep, writeAll } from "./stateFile";

export interface LockOwner {
  pid: number;
  /** ISO time the owner took the lock. */
  startedAt: string;
  /** Linux: the owner's start time in clock ticks (/proc/<pid>/stat), so a reused pid is not mistaken for it. */
  processStart?: string;
}

export interface Lock {
  readonly file: string;
  /** Removes the lock file if it is still ours. */
  release(): void;
}

export type LockResult = { lock: Lock } | { heldBy: LockOwner };

/** Field 22 of /proc/<pid>/stat (start time), or undefined where there is no /proc. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is parenthesised and may hold spaces: count after its ')'.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: the pid exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return owner.processStart === undefined || processStart(owner.pid) === undefined || processStart(owner.pid) === owner.processStart;
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockOwner>;
    return typeof v.pid === "number" && Number.isInteger(v.pid) && v.pid > 0 && typeof v.startedAt === "string" ? (v as LockOwner) : undefined;
  } catch {
    return undefined; // missing, half-written by a kill, or damaged: nobody holds it
  }
}

function create(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    return stateStep(file, () => {
      throw err;
    });
  }
  try {
    writeAll(fd, Buffer.from(JSON.stringify(owner)), file);
    stateStep(file, () => fs.fsyncSync(fd));
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw err;
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * Takes the lock `<dir>/<name>.lock`, or says who holds it. Throws StateWriteError when the
 * folder is not writable (the caller stops before its first event).
 */
export async function acquireLock(dir: string, name: string, now: () => Date = () => new Date()): Promise<LockResult> {
  const file = path.join(dir, `${name}.lock`);
  const me: LockOwner = { pid: process.pid, startedAt: now().toISOString(), processStart: processStart(process.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(file, me)) {
      return {
        lock: {
          file,
          release: () => {
            if (readOwner(file)?.pid === me.pid) fs.rmSync(file, { force: true });
          },
        },
      };
    }
    const owner = readOwner(file);
    if (owner && alive(owner)) return { heldBy: owner };
    // Stale: move it aside under a name of our own, so two runs taking over at once cannot both
    // win (only one rename succeeds), then check we moved the stale one and not a fresh lock.
    const aside = `${file}.stale-${process.pid}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue; // another run took it over first: look again
    }
    const moved = readOwner(aside);
    if (moved && alive(moved)) {
      fs.renameSync(aside, file);
      return { heldBy: moved };
    }
    fs.rmSync(aside, { force: true });
  }
  const owner = readOwner(file);
  return owner ? { heldBy: owner } : { heldBy: { pid: 0, startedAt: "unknown" } };
}
