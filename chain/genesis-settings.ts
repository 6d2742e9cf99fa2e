import { genesisDrift } from "./genesis-drift";
import { parseIni } from "./ini";

/**
 * The stack settings that only the genesis holds, by genesis key, and the FISCO system config key that changes the
 * live value on chain, where one exists (v3.16.4 bcos-framework/ledger/LedgerTypeDef.h, SYSTEM_KEY_*).
 */
const GENESIS_SETTINGS: Readonly<Record<string, { readonly setting: string; readonly systemConfig?: string }>> = {
  "chain.group_id": { setting: "groupId" },
  "chain.chain_id": { setting: "chainId" },
  "chain.sm_crypto": { setting: "(sm_crypto)" },
  "web3.chain_id": { setting: "web3.chainId", systemConfig: "web3_chain_id" },
  "consensus.consensus_type": { setting: "consensus.type", systemConfig: "feature_rpbft" },
  "consensus.block_tx_count_limit": { setting: "consensus.blockTxCountLimit", systemConfig: "tx_count_limit" },
  "consensus.leader_period": { setting: "consensus.leaderPeriod", systemConfig: "consensus_leader_period" },
  "consensus.epoch_sealer_num": { setting: "consensus.epochSealerNum", systemConfig: "feature_rpbft_epoch_sealer_num" },
  "consensus.epoch_block_num": { setting: "consensus.epochBlockNum", systemConfig: "feature_rpbft_epoch_block_num" },
  "tx.gas_limit": { setting: "txGasLimit", systemConfig: "tx_gas_limit" },
  "executor.is_auth_check": { setting: "authCheck", systemConfig: "auth_check_status" },
};

/** Keys whose change is expected and not refused: the genesis keeps the old value (warned about, with what to do). */
const KEPT_WITH_WARNING = new Set(["version.compatibility_version", "consensus.consensus_timeout", "executor.auth_admin_account"]);

export interface GenesisSettingChanges {
  /** Changes of genesis-only settings: the program stops, naming the key and how it changes on a live chain. */
  readonly refusals: readonly string[];
  /** Sealer list and other expected differences: the recorded genesis is kept, and the user is told what to do. */
  readonly warnings: readonly string[];
}

/**
 * Compare the recorded genesis with the one the stack would write now. Sealer lines are membership (warnings: added on
 * chain); compatibility_version follows the image version and is upgraded on chain (warning); every other difference
 * is a genesis-only setting changed after creation (refusal).
 */
export function genesisSettingChanges(recorded: string, wanted: string, nodeNames: Readonly<Record<string, string>> = {}): GenesisSettingChanges {
  if (recorded === wanted) return { refusals: [], warnings: [] };
  const [before, after] = [parseIni(recorded), parseIni(wanted)];
  const refusals: string[] = [];
  for (const [section, entries] of after) {
    for (const [key, value] of entries) {
      const id = `${section}.${key}`;
      const old = before.get(section)?.get(key);
      if (old === value || (section === "consensus" && key.startsWith("node.")) || KEPT_WITH_WARNING.has(id)) continue;
      refusals.push(refusal(id, old, value));
    }
  }
  const membership = genesisDrift(recorded, wanted, nodeNames).filter((m) => m.includes("sealer"));
  const kept = [...KEPT_WITH_WARNING].flatMap((id) => {
    const [section, key] = id.split(".");
    const [old, now] = [before.get(section)?.get(key), after.get(section)?.get(key)];
    return old === now
      ? []
      : [
          `[${section}] ${key} stays ${old} (the genesis value); the stack now gives ${now}${id === "version.compatibility_version" ? ": after upgrading every node, raise it on chain with setSystemConfigByKey compatibility_version" : ""}`,
        ];
  });
  return { refusals, warnings: [...membership, ...kept] };
}

function refusal(id: string, old: string | undefined, value: string): string {
  const known = GENESIS_SETTINGS[id];
  const setting = known ? `fisco-bcos:${known.setting}` : `genesis [${id.replace(".", "] ")}`;
  const head = `${setting} is ${old} in the chain's genesis and ${value} in the stack: it is fixed when the chain is created. Put it back to ${old}.`;
  if (known?.systemConfig)
    return `${head} On the live chain it is the system config ${known.systemConfig}: change it there with setSystemConfigByKey (the governor's transaction; with authCheck, a committee proposal).`;
  return `${head} It cannot change on a live chain; another value needs a new chain (another stack or namespace).`;
}
