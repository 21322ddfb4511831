/**
 * A folder of the repository as it was at a git ref (`main`, `origin/main`, a commit), written to
 * a temporary folder with `git archive` (a tar of exactly that tree, no checkout touched).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { UsageError } from "../errors";

const run = promisify(execFile);

/** A temporary copy of `folder` at `ref`; `dir` is empty when the folder did not exist there. */
export interface FolderAtRef {
  dir: string;
  cleanup(): void;
}

/** Copies `folder` (relative to `cwd`) as it was at `ref`. Fails in one line when `ref` is not a commit. */
export async function folderAtRef(ref: string, folder: string, cwd = process.cwd()): Promise<FolderAtRef> {
  const git = (args: string[], at = cwd) => run("git", args, { cwd: at, maxBuffer: 256 * 1024 * 1024 });
  let top: string;
  try {
    top = (await git(["rev-parse", "--show-toplevel"])).stdout.trim();
    await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`'${ref}' is neither a folder nor a git commit of the repository at ${cwd}`, {
      hint: "Give --from a folder of migrations, or a branch, tag or commit (fetch it first: git fetch origin main)",
    });
  }
  const inRepo = path.relative(top, path.resolve(cwd, folder)).split(path.sep).join("/");
  const tmp = mkdtempSync(path.join(os.tmpdir(), "dbmigrate-ref-"));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const listed = (await git(["ls-tree", "-d", "--name-only", ref, "--", inRepo], top)).stdout.trim();
    const dir = path.join(tmp, ...inRepo.split("/"));
    if (listed === "") {
      mkdirSync(dir, { recursive: true });
      return { dir, cleanup };
    }
    const tar = path.join(tmp, "tree.tar");
    await git(["archive", "--format=tar", `--output=${tar}`, ref, "--", inRepo], top);
    await run("tar", ["-xf", tar, "-C", tmp]);
    rmSync(tar);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    return { dir, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}
