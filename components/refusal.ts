import * as pulumi from "@pulumi/pulumi";

/**
 * The error that stops the program from inside an `apply` when the stack asks for something refused (a changed
 * genesis-only setting): the engine reports its message, at once.
 *
 * A plain `ResourceError` thrown in an apply took 60–145 s to report on the real engine (docs/e2e.md, finding 4).
 * @pulumi/pulumi's uncaught-error handler formats an error that has a stack with `util.inspect(err, { colors: true })`,
 * twice (the log and a trace event). An error thrown in an apply has a frame in `node_modules/@pulumi/output.ts`
 * (where @pulumi/pulumi's source maps point), and Node.js 20.20's inspect loops on such a frame (a scoped package with
 * no folder after the scope) until its string is too long (nodejs/node#64011, fixed by nodejs/node#64022): about
 * 30 s of CPU and garbage collection each time, then a RangeError and a plain inspect. This error has no stack frames
 * (they were the SDK's, never the user's) and asks the handler to print its message only (`hideStack`).
 *
 * The SDK also prefixes the message of an error that fails a resource's inputs with `error serializing property
 * "<name>": `, once for every resource that waited on the failed value (eight here: not a path); the message stays
 * as written.
 */
export function refusal(message: string, resource: pulumi.Resource | undefined): pulumi.ResourceError {
  const error = new pulumi.ResourceError(message, resource, true);
  Object.defineProperty(error, "message", { get: () => message, set: () => undefined, enumerable: false, configurable: true });
  error.stack = `${error.name}: ${message}`;
  return error;
}
