/** Files a command writes (`--output`, `--complete-schema`): the folder checked first, one line when it cannot be. */
import { constants as fsConstants, promises as fs } from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";

/** Fails in one line, naming the flag, when the folder `file` would go in does not exist or is not writable. */
export async function assertWritableFolder(file: string, flag: string): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  try {
    if (!(await fs.stat(folder)).isDirectory()) throw Object.assign(new Error("not a folder"), { code: "ENOTDIR" });
    await fs.access(folder, fsConstants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "ENOTDIR" ? "is not a folder" : "is not writable";
    throw new UsageError(`${flag} '${file}': the folder '${path.dirname(file)}' ${why}`, {
      hint: "Create the folder first, or give a path inside an existing one",
    });
  }
}

/** Writes `text` to `file` after checking its folder. */
export async function writeOutputFile(file: string, text: string, flag: string): Promise<void> {
  await assertWritableFolder(file, flag);
  // A failed write (ENOSPC, EIO) carries no path: name the file.
  await fs.writeFile(file, text).catch((error: NodeJS.ErrnoException) => {
    throw Object.assign(error, { path: error.path ?? file });
  });
}
