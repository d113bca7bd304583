/**
 * Three WASM kernels replaced: two so that copies which change nothing are not made, one because it is slow.
 *
 * tfjs saves every tensor a gradient needs by cloning it (`Identity`), and some gradients cast float32 to
 * float32 (`Cast`). The WASM backend copies the data for both; the CPU and WebGL backends share it, which is
 * safe because tensor data is never written in place (a kernel always writes a fresh output, and
 * `Variable.assign` swaps in new data). Sharing here is what those backends do: the output points at the
 * input's data and the backend's reference count keeps it alive. In a training step of the bench's `char`
 * model this removed ~150 copies (~5% of the step).
 *
 * `GatherV2` (the embedding lookup) runs ~80 ns per element in WASM's C++ loop: 7.6 ms to pick 768 rows of
 * 128 numbers, 40 ms for 2048 rows of 256. Copying whole rows between views of the WASM heap is a memcpy
 * per row: ~20× faster. Batched gathers (`batchDims` ≠ 0) keep the original kernel.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The slice of the WASM backend these kernels use: reference counting, heap views, outputs. */
interface RefCounting {
  incRef(dataId: tf.DataId): void;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function share(x: tf.TensorInfo, backend: RefCounting, dtype: tf.DataType = x.dtype): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype };
}

/**
 * `tf.gather(x, indices, axis)` for batchDims 0: out[o, k, :] = x[o, indices[k], :] with o over the axes
 * before `axis` and ":" the axes after it. Out-of-range indices are an error naming the index.
 */
function gatherRows(args: KernelArgs, original: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const indices = args.inputs.indices as tf.TensorInfo;
  const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
  if (batchDims !== 0 || x.dtype === "string" || x.dtype === "complex64") return original(args);
  const backend = args.backend as unknown as RefCounting;
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const outer = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
  const dim = x.shape[ax];
  const inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const ids = backend.typedArrayFromHeap(indices);
  for (let k = 0; k < ids.length; k++) {
    if (!(ids[k] >= 0 && ids[k] < dim)) {
      throw new Error(`GatherV2: the index value ${ids[k]} is not in [0, ${dim - 1}]`);
    }
  }
  const out = backend.makeOutput(
    [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)],
    x.dtype,
  );
  // Views are taken after makeOutput: allocating may grow the heap and detach earlier views.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const idx = backend.typedArrayFromHeap(indices);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < idx.length; k++) {
      const from = (o * dim + idx[k]) * inner;
      dst.set(src.subarray(from, from + inner), (o * idx.length + k) * inner);
    }
  }
  return out;
}

/** Registers the sharing `Identity` and same-dtype `Cast` and the row-copying `GatherV2` for `wasm` (once). */
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
  const originalGather = (tf.getKernel("GatherV2", "wasm") as tf.KernelConfig).kernelFunc;
  tf.unregisterKernel("GatherV2", "wasm");
  tf.registerKernel({
    kernelName: "GatherV2",
    backendName: "wasm",
    kernelFunc: (args: KernelArgs) => gatherRows(args, originalGather),
  });
}
