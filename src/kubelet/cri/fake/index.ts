export { FakeImageService } from './fake-image.js';
export {
  FakeRuntimeService,
  type ExecHandler,
  type FakeCall,
  type FakeContainer,
  type FakeSandbox,
} from './fake-runtime.js';
