/** Loads every message declaration into the shared root (order matters only for readability). */
import './meta.js';
import './core-pod.js';
import './core-volumes.js';
import './core.js';
import './apps.js';
import './batch.js';
import './autoscaling.js';
import './policy.js';
import './rbac.js';
import './networking.js';
import './cluster.js';
import './auth.js';
