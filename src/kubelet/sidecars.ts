/**
 * Sidecar containers: init containers with `restartPolicy: Always` (upstream "restartable init containers").
 * They start in order with the other init containers, but the next one starts as soon as a sidecar has
 * started; they keep running (and are restarted whatever the pod's restart policy) beside the app
 * containers, and stop after them.
 */
import type { Container } from 'kubernetes-types/core/v1.js';

export const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always';
