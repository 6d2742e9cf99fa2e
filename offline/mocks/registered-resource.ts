/** What the offline engine records of each registration, and the provider state it keeps between runs. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, any>;
  readonly state: Record<string, any>;
  readonly options?: ResourceOptionsSeen;
  /** A read of an existing object (`Resource.get`): nothing the program creates, so it is no manifest. */
  readonly read?: boolean;
}

/** The resource options the engine acts on, as the program sent them. */
export interface ResourceOptionsSeen {
  readonly ignoreChanges: readonly string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Names of the resource hooks bound to it, by event (afterCreate, …). Offline, hooks are recorded, never run. */
  readonly hooks: Readonly<Record<string, readonly string[]>>;
}

/** Provider state kept between runs, as the Pulumi engine keeps it in the stack: same inputs → same outputs. */
export type ProviderState = Map<string, { inputs: Record<string, any>; state: Record<string, any> }>;
