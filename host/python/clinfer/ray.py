"""ray.py — clinfer as the engine of Ray Data batch inference.

    import ray, clinfer.ray
    ds = ray.data.from_items([{"image": x} for x in images])
    out = ds.map_batches(clinfer.ray.ClinferPredictor,
                         fn_constructor_kwargs={"model": "model.onnx", "device": "cpu"},
                         compute=ray.data.ActorPoolStrategy(size=2), batch_size=256)

(`concurrency=2` works too; Ray 2.51 and later warn that it is deprecated.)

Each actor makes one InferenceSession when it starts and runs every batch
it is given through it: NumPy batches in (a dict of columns, Ray's "numpy"
batch format), NumPy batches out, any batch size (the last batch is
short: its shape gets a session of its own). Needs `ray` (PyPI).
"""
import os

import numpy as np

from .session import InferenceSession


def actor_device(device=None):
    """The device SPEC for this actor: `device` when given; else, when Ray
    gave the actor GPUs (num_gpus), "gpu" (Ray sets CUDA_VISIBLE_DEVICES to
    the actor's GPUs, which NVIDIA's OpenCL driver honours, so the first
    GPU clinfer sees is the actor's; elsewhere give device="P:D"); else
    None (clinfer's default)."""
    if device is not None:
        return device
    try:
        import ray
        if ray.is_initialized() and ray.get_gpu_ids():
            return "gpu"
    except ImportError:
        pass
    return None


class ClinferPredictor:
    """A callable class for Dataset.map_batches.

    model: path of the ONNX file (each actor loads it). device: a device
    SPEC (see actor_device). input_columns: {model input: batch column}
    (default: each input reads the column of its own name). output_names:
    which outputs to add as columns (default all). keep_columns: copy the
    batch's other columns (ids, labels) to the result (default True).
    pocl_threads: worker threads of PoCL's CPU device in this actor
    (POCL_MAX_PTHREAD_COUNT, read when PoCL starts in the actor's process),
    so that N actors on N cores do not each start a thread per core.
    """

    def __init__(self, model, device=None, input_columns=None, output_names=None,
                 keep_columns=True, pocl_threads=None):
        if pocl_threads is not None:
            os.environ["POCL_MAX_PTHREAD_COUNT"] = str(int(pocl_threads))
        self.session = InferenceSession(model, device=actor_device(device))
        inputs = [i.name for i in self.session.get_inputs()]
        self.columns = {name: (input_columns or {}).get(name, name) for name in inputs}
        self.output_names = output_names or [o.name for o in self.session.get_outputs()]
        self.keep_columns = keep_columns

    def __call__(self, batch):
        missing = [c for c in self.columns.values() if c not in batch]
        if missing:
            raise KeyError(f"clinfer: the batch has no column {missing[0]!r} "
                           f"(its columns: {', '.join(batch)})")
        feeds = {name: np.asarray(batch[column]) for name, column in self.columns.items()}
        outputs = self.session.run(self.output_names, feeds)
        result = {}
        if self.keep_columns:
            used = set(self.columns.values())
            result.update({k: v for k, v in batch.items() if k not in used})
        result.update(zip(self.output_names, outputs))
        return result
