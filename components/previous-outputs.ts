import * as pulumi from "@pulumi/pulumi";

/**
 * One output of this stack as its last update left it (a StackReference to the stack itself), or undefined for a
 * stack that has none yet. Read during `pulumi preview` too, so a program can refuse a change against what it
 * recorded before. Secret outputs stay secret.
 */
export function previousStackOutput(name: string, parent: pulumi.Resource): pulumi.Output<unknown> {
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  return new pulumi.StackReference(`${pulumi.getStack()}-previous-outputs`, { name: self }, { parent }).getOutput(name);
}
