/**
 * Two WASM kernels replaced so that copies which change nothing are not made.
 *
 * tfjs saves every tensor a gradient needs by cloning it (`Identity`), and some gradients cast float32 to
 * float32 (`Cast`). The WASM backend copies the data for both; the CPU and WebGL backends share it, which is
 * safe because tensor data is never written in place (a kernel always writes a fresh output, and
 * `Variable.assign` swaps in new data). Sharing here is what those backends do: the output points at the
 * input's data and the backend's reference count keeps it alive. In a training step of the bench's `char`
 * model this removed ~150 copies (~5% of the step).
 */
import * as tf from "@tensorflow/tfjs-core";

/** The slice of the WASM backend these kernels use: reference counting of shared data. */
interface RefCounting {
  incRef(dataId: tf.DataId): void;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function share(x: tf.TensorInfo, backend: RefCounting, dtype: tf.DataType = x.dtype): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype };
}

/** Registers the sharing `Identity` and same-dtype `Cast` for the `wasm` backend (once; idempotent). */
export function registerWasmKernels(): void {
  const original = tf.getKernel("Cast", "wasm");
  if (!original || (original as { shared?: boolean }).shared) return;
  const originalCast = original.kernelFunc;
  const originalIdentity = (tf.getKernel("Identity", "wasm") as tf.KernelConfig).kernelFunc;
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({
    kernelName: "Identity",
    backendName: "wasm",
    kernelFunc: (args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      return x.dtype === "string" ? originalIdentity(args) : share(x, args.backend as unknown as RefCounting);
    },
  });
  tf.unregisterKernel("Cast", "wasm");
  const cast: tf.KernelConfig & { shared: boolean } = {
    kernelName: "Cast",
    backendName: "wasm",
    shared: true,
    kernelFunc: (args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
      return x.dtype === dtype ? share(x, args.backend as unknown as RefCounting) : originalCast(args);
    },
  };
  tf.registerKernel(cast);
}
