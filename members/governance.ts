import type { NodeApi } from "../fisco/native-api";
import { COMMITTEE_MANAGER_ADDRESS, decodeBool, isGovernorInput } from "./abi";

/**
 * Who may change membership (FISCO v3.16.4):
 *
 * - `is_auth_check=false` (the genesis [executor] setting): ConsensusPrecompiled accepts a call from any account
 *   (ConsensusPrecompiled.cpp: the committee check runs only when `blockContext.isAuthCheck()`); the plan's calls are
 *   sent by the genesis admin key, which any key would do.
 * - `is_auth_check=true`: it accepts only calls whose sender is the CommitteeManager at 0x…10001
 *   (`checkSenderFromAuth`, precompiled/common/Utilities.h), and answers CODE_NO_AUTHORIZED (-50000) to anyone else.
 *   A governor creates a proposal there (createSetConsensusWeightProposal / createRmNodeProposal); at genesis the
 *   committee has one governor, the admin account (`auth_admin_account`, libinitializer/AuthInitializer.h: weights [1],
 *   participatesRate 0, winRate 0), so the proposer's own vote passes it and the call runs at once.
 *
 * Whether auth checking is on is read from the chain: getGroupInfo's node entries carry `iniConfig`, a JSON string
 * with `isAuthCheck` (libinitializer/PBFTInitializer.cpp generateIniConfig; bcos-rpc/jsonrpc/Common.h nodeInfoToJson).
 */

export class GovernanceError extends Error {}

/** isAuthCheck as the node reports it; null when its getGroupInfo does not say. */
export async function chainAuthCheck(api: NodeApi, timeoutMs: number): Promise<boolean | null> {
  const info = await api.client.request<{ nodeList?: { iniConfig?: unknown }[] } | null>("getGroupInfo", [api.group], timeoutMs);
  for (const node of info?.nodeList ?? []) {
    let ini: unknown = node.iniConfig;
    if (typeof ini === "string") {
      try {
        ini = JSON.parse(ini);
      } catch {
        continue;
      }
    }
    const flag = (ini as { isAuthCheck?: unknown } | null)?.isAuthCheck;
    if (typeof flag === "boolean") return flag;
  }
  return null;
}

/**
 * Auth checking as the chain reports it, or as declared (the genesis' `is_auth_check`) when the node does not say.
 * @throws GovernanceError when the two disagree (the nodes do not run the declared genesis) or neither is known.
 */
export async function resolveAuthCheck(api: NodeApi, declared: boolean | undefined, timeoutMs: number): Promise<boolean> {
  const reported = await chainAuthCheck(api, timeoutMs);
  if (reported !== null && declared !== undefined && reported !== declared) {
    throw new GovernanceError(
      `${api.name} runs with auth checking ${reported ? "on" : "off"}, but the declared genesis has is_auth_check=${declared}: these nodes do not run the declared chain`,
    );
  }
  const value = reported ?? declared;
  if (value === undefined)
    throw new GovernanceError(`${api.name}'s getGroupInfo does not say whether auth checking is on, and the declared set has no genesis to tell`);
  return value;
}

/** Whether `address` is a governor of the committee (CommitteeManager.isGovernor, a read). */
export async function isGovernor(api: NodeApi, address: string, timeoutMs: number): Promise<boolean> {
  const result = await api.callContract(COMMITTEE_MANAGER_ADDRESS, isGovernorInput(address), timeoutMs);
  const answer = result.status === 0 ? decodeBool(result.output) : null;
  if (answer === null) {
    throw new GovernanceError(
      `isGovernor(${address}) on the committee contract 0x${COMMITTEE_MANAGER_ADDRESS} failed (status ${result.status}): the chain has no committee (compatibility version below 3.3?)`,
    );
  }
  return answer;
}

/** @throws GovernanceError naming what is missing when the admin key may not create membership proposals. */
export async function requireGovernor(api: NodeApi, address: string, timeoutMs: number): Promise<void> {
  if (!(await isGovernor(api, address, timeoutMs))) {
    throw new GovernanceError(
      `auth checking is on, so membership changes go through committee proposals (CommitteeManager 0x${COMMITTEE_MANAGER_ADDRESS}), which only governors may create; ` +
        `the signing key ${address} is not a governor: use the genesis admin key (stack output adminPrivateKey) or a key the committee made a governor`,
    );
  }
}
