export { newStatefulSetController, StatefulSetController } from './controller.js';
