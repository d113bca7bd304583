/**
 * Five WASM kernels replaced: two so that copies which change nothing are not made, three because they are
 * slow.
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
 *
 * `Slice` (and `SplitV`, which calls it once per piece) first copies the WHOLE input out of the heap
 * (`readSync`), then the part it wants: splitting a 0.8M-number vector into 52 pieces took ~100 ms. Here the
 * part is copied straight from a view of the heap, one contiguous run of the last axis at a time.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The slice of the WASM backend these kernels use: reference counting, heap views, outputs. */
interface RefCounting {
  incRef(dataId: tf.DataId): void;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A new tensor on `x`'s data (the backend counts the extra reference). */
function share(x: tf.TensorInfo, backend: RefCounting): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Copies runs between two tensors' data on the WASM heap with `copyWithin` over one view of the whole heap.
 * (`dst.set(src.subarray(…))` between views of the same buffer makes V8 clone the source first.)
 */
function heapCopier(
  src: ArrayLike<number> & ArrayBufferView,
  dst: ArrayBufferView,
): (from: number, to: number, n: number) => void {
  const bpe = (src as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const Ctor = src.constructor as new (b: ArrayBufferLike) => Float32Array;
  const heap = new Ctor(src.buffer);
  const s0 = src.byteOffset / bpe;
  const d0 = dst.byteOffset / bpe;
  return (from, to, n) => heap.copyWithin(d0 + to, s0 + from, s0 + from + n);
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
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const outer = tf.util.sizeFromShape(x.shape.slice(0, ax));
  const dim = x.shape[ax];
  const inner = tf.util.sizeFromShape(x.shape.slice(ax + 1));
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
  const copy = heapCopier(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out));
  const idx = backend.typedArrayFromHeap(indices);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < idx.length; k++)
      copy((o * dim + idx[k]) * inner, (o * idx.length + k) * inner, inner);
  }
  return out;
}

/** `x[begin : begin + size]` (per axis) copied from a heap view into a new output, run by run. */
function sliceFromHeap(
  backend: RefCounting,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  const copy = heapCopier(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out));
  const rank = x.shape.length;
  if (rank === 0) {
    copy(0, 0, 1);
    return out;
  }
  const strides = new Array<number>(rank).fill(1);
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * x.shape[a + 1];
  // Trailing axes taken whole merge with the axis before them into one longer contiguous run.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === x.shape[inner]) inner--;
  const run = tf.util.sizeFromShape(size.slice(inner));
  const outer = size.slice(0, inner);
  const index = new Array<number>(inner).fill(0);
  for (let o = 0; o < total; o += run) {
    let from = begin[inner] * strides[inner];
    for (let a = 0; a < inner; a++) from += (begin[a] + index[a]) * strides[a];
    copy(from, o, run);
    for (let a = inner - 1; a >= 0; a--) {
      if (++index[a] < outer[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

/** Registers the replaced kernels for `wasm` (once; later calls do nothing). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  const backendOf = (args: KernelArgs) => args.backend as unknown as RefCounting;
  replaceKernel("Identity", (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype === "string" ? original(args) : share(x, backendOf(args));
  });
  replaceKernel("Cast", (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
    return x.dtype === dtype ? share(x, backendOf(args)) : original(args);
  });
  replaceKernel("GatherV2", (original) => (args) => gatherRows(args, original));
  replaceKernel("Slice", (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === "string") return original(args);
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    const [b, sz] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceFromHeap(backendOf(args), x, b, sz);
  });
  replaceKernel("SplitV", (original) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === "string") return original(args);
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((piece) => {
      const size = [...x.shape];
      size[ax] = piece;
      const out = sliceFromHeap(backendOf(args), x, [...begin], size);
      begin[ax] += piece;
      return out;
    });
  });
}

let registered = false;

/** Swaps the `wasm` kernel `name` for `make(original)`; the original stays callable for the cases it keeps. */
function replaceKernel(
  name: string,
  make: (original: tf.KernelFunc) => (args: KernelArgs) => ReturnType<tf.KernelFunc>,
): void {
  const config = tf.getKernel(name, "wasm");
  if (!config) throw new Error(`registerWasmKernels: the wasm backend has no ${name} kernel to replace`);
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({
    kernelName: name,
    backendName: "wasm",
    kernelFunc: make(config.kernelFunc) as tf.KernelFunc,
  });
}
