import * as pulumi from "@pulumi/pulumi";

/*
 * Adds what the shared harness's mocks do not answer: a StackReference read returns the given stack's outputs
 * (as the engine does for `pulumi:pulumi:StackReference`), and getProject returns a project number. Call after
 * installMocks(), which makes a new mock monitor.
 */

export const PROJECT_NUMBER = "123456789012";

export function answerStackReferences(outputs: Record<string, Record<string, unknown>>): void {
  const mocks = (pulumi.runtime.getMonitor() as any).mocks as pulumi.runtime.Mocks;
  const newResource = mocks.newResource.bind(mocks);
  const call = mocks.call.bind(mocks);
  mocks.newResource = (args) => {
    const result = newResource(args) as pulumi.runtime.MockResourceResult;
    if (args.type !== "pulumi:pulumi:StackReference") return result;
    const name = String(args.inputs.name);
    // The stack being deployed always exists (its release history is read from it); before a first deployment it has no outputs.
    const self = name === `organization/${pulumi.getProject()}/${pulumi.getStack()}`;
    const found = outputs[name] ?? (self ? {} : undefined);
    if (!found) throw new Error(`no stack named '${name}' found`);
    return { id: name, state: { name, outputs: found, secretOutputNames: [] } };
  };
  mocks.call = (args) => (args.token === "gcp:organizations/getProject:getProject" ? { ...args.inputs, number: PROJECT_NUMBER } : call(args));
}
