/**
 * The least the client needs of an object. Both our own `KubeObject` and the `kubernetes-types` interfaces
 * (`Pod`, `Deployment`, …) satisfy it, so controllers can use the precise upstream types.
 */
export interface ClientObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
  };
}
