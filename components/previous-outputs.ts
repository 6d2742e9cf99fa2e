import * as pulumi from "@pulumi/pulumi";

/**
 * The outputs of this stack as its last update left them (one StackReference to the stack itself): a reader that gives
 * one output by name, undefined for a stack that has none yet. Read during `pulumi preview` too, so a program can refuse
 * a change against what it recorded before. Secret outputs stay secret.
 */
export function previousStackOutputs(parent: pulumi.Resource): (name: string) => pulumi.Output<unknown> {
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const reference = new pulumi.StackReference(`${pulumi.getStack()}-previous-outputs`, { name: self }, { parent });
  return (name) => reference.getOutput(name);
}
