import { chmodSync, copyFileSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { TreeNode } from "./tree";

/**
 * A node's working directory, laid out as charts/fisco-bcos/templates/statefulset.yaml lays out the pod's /data (the
 * container's workingDir), so that the same config.ini finds everything at the same relative paths:
 *
 *   config.ini, config.genesis   read-only subPath mounts of the node's ConfigMap: fixed for the life of the pod, so
 *                                copied (mode 0444) at every start
 *   peers/                       the ConfigMap mounted as a directory, which the kubelet updates in place:
 *                                a symlink to <tree>/<node>, so a re-rendered nodes.json shows through at once
 *   nodes.json -> peers/nodes.json   what the init container link-peers makes (`ln -sf peers/nodes.json /data/nodes.json`)
 *   conf/                        the node's keys Secret, mounted read-only: a symlink to <tree>/<node>/conf
 *   data/                        the PersistentVolumeClaim: kept across restarts and local:down
 *   log/                         an emptyDir in the pod; kept here across restarts
 *
 * The process runs there as `fisco-bcos -c config.ini -g config.genesis`, as the chart's container does.
 */

/** The arguments the chart's container passes to fisco-bcos (its workingDir is the node directory). */
export const NODE_ARGS = ["-c", "config.ini", "-g", "config.genesis"] as const;

/** Entries of a prepared working directory, for checks. */
export const WORKDIR_ENTRIES = ["conf", "config.genesis", "config.ini", "data", "log", "nodes.json", "peers"] as const;

/** Create or refresh the working directory `dir` for `node`. Idempotent; keeps data/ and log/. Throws fs errors. */
export function prepareWorkDir(dir: string, node: TreeNode): void {
  mkdirSync(dir, { recursive: true });
  for (const file of ["config.ini", "config.genesis"]) copyReadOnly(join(node.dir, file), join(dir, file));
  link(node.dir, join(dir, "peers"));
  link("peers/nodes.json", join(dir, "nodes.json"));
  link(join(node.dir, "conf"), join(dir, "conf"));
  mkdirSync(join(dir, "data"), { recursive: true });
  mkdirSync(join(dir, "log"), { recursive: true });
}

function copyReadOnly(from: string, to: string): void {
  rmSync(to, { force: true });
  copyFileSync(from, to);
  chmodSync(to, 0o444);
}

/** Make `path` a symlink to `target`, replacing whatever is there unless it already is that link. */
function link(target: string, path: string): void {
  if (isLinkTo(path, target)) return;
  rmSync(path, { recursive: true, force: true });
  symlinkSync(target, path);
}

function isLinkTo(path: string, target: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && readlinkSync(path) === target;
  } catch {
    return false;
  }
}
