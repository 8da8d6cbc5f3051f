// Reads a .tgz with node-tar (npm `tar`), a reader independent of the project's own
// scripts/tar.ts, so the package test and the harness do not check our writer with our reader.
import * as tar from "tar";

export interface ArchiveEntry {
  path: string;
  /** node-tar's type name: "File", "Directory", "SymbolicLink", ... */
  type: string;
  mode: number;
  /** node-tar found the POSIX ustar magic and version ("ustar\0" "00") in the header. */
  ustar: boolean;
  checksumOk: boolean;
  data: Buffer;
}

/** Every entry of the gzip-compressed tar archive `file`, in archive order, with its bytes. */
export function readArchive(file: string): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [];
  const problems: string[] = [];
  tar.t({
    file,
    sync: true,
    strict: true,
    onwarn: (code, message) => problems.push(`${code}: ${String(message)}`),
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on("data", (chunk: Buffer) => chunks.push(chunk));
      entry.on("end", () => {
        entries.push({
          path: entry.path,
          type: entry.type,
          mode: entry.mode ?? 0,
          // node-tar decodes uname only from a header carrying the ustar magic and version.
          ustar: entry.header.uname !== undefined,
          checksumOk: entry.header.cksumValid === true,
          data: Buffer.concat(chunks),
        });
      });
    },
  });
  if (problems.length > 0) throw new Error(`${file}: ${problems.join("; ")}`);
  return entries;
}

/**
 * Unpacks the archive into dir with node-tar, keeping its modes (less the umask). An entry that
 * would land outside dir (absolute, `..`) is an error: strict turns node-tar's warning into one.
 */
export function extractArchive(file: string, dir: string): void {
  tar.x({ file, cwd: dir, sync: true, strict: true });
}
