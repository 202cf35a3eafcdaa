"""serve.py — a Ray Serve deployment that answers over HTTP with clinfer.

    from ray import serve
    import clinfer.serve
    serve.run(clinfer.serve.app("model.onnx", device="cpu"), route_prefix="/")
    # POST {"input": [[...]]} (one item, the model's input without the batch
    # dimension) -> {"scores": [...], "class": k, "batch": items run with it}

Concurrent requests are batched by Serve's dynamic batching (@serve.batch:
up to max_batch_size items, waiting at most batch_wait_timeout_s for a
batch to fill), run as one clinfer batch, and answered each with its own
row; batching=False runs each request alone. A bad request (not JSON, no
"input", a wrong shape, values that are not numbers, a body over
max_body_bytes) is answered 400 or 413 with the reason, and the replica
keeps serving. Needs `ray[serve]` (PyPI).
"""
import asyncio
import json

import numpy as np
from ray import serve
from starlette.responses import JSONResponse

from ._errors import Error
from .session import InferenceSession


class BadRequest(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


@serve.deployment
class ClinferServer:
    def __init__(self, model, device=None, batching=True, max_batch_size=32,
                 batch_wait_timeout_s=0.005, max_body_bytes=1 << 20):
        self.session = InferenceSession(model, device=device)
        (inp,) = self.session.get_inputs()  # a model of one input
        self.input = inp.name
        self.item_shape = tuple(inp.shape[1:]) if inp.shape else None
        self.batching = batching
        self.max_body_bytes = max_body_bytes
        self.run_batch.set_max_batch_size(max_batch_size)
        self.run_batch.set_batch_wait_timeout_s(batch_wait_timeout_s)

    def _run(self, x):
        (scores,) = self.session.run(None, {self.input: x})
        return scores

    @serve.batch(max_batch_size=32, batch_wait_timeout_s=0.005)
    async def run_batch(self, items):
        # In a thread: the event loop keeps taking requests meanwhile (the
        # GIL is released while clinfer runs).
        scores = await asyncio.to_thread(self._run, np.stack(items))
        return [(row, len(items)) for row in scores]

    async def _item(self, request):
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > self.max_body_bytes:
            raise BadRequest(f"the body has {size} bytes, more than {self.max_body_bytes}", 413)
        body = await request.body()
        if len(body) > self.max_body_bytes:
            raise BadRequest(f"the body has {len(body)} bytes, more than {self.max_body_bytes}",
                             413)
        try:
            value = json.loads(body)["input"]
            x = np.asarray(value, dtype=np.float32)
        except (ValueError, TypeError, KeyError) as e:
            raise BadRequest('the body must be JSON {"input": nested lists of numbers}: '
                             f"{type(e).__name__}: {e}") from None
        if self.item_shape is not None and (
                x.ndim != len(self.item_shape)
                or any(d is not None and d != n for d, n in zip(self.item_shape, x.shape))):
            raise BadRequest(f"input has shape {list(x.shape)}; the model takes "
                             f"{[d if d is not None else '?' for d in self.item_shape]}")
        return x

    async def __call__(self, request):
        try:
            x = await self._item(request)
            if self.batching:
                scores, batch = await self.run_batch(x)
            else:
                scores, batch = (await asyncio.to_thread(self._run, x[None]))[0], 1
        except BadRequest as e:
            return JSONResponse({"error": str(e)}, status_code=e.status)
        except Error as e:  # clinfer refused the input: the request's fault
            return JSONResponse({"error": str(e)}, status_code=400)
        return {"scores": scores.tolist(), "class": int(np.argmax(scores)), "batch": batch}


def app(model, device=None, **options):
    """The deployment bound to a model, for serve.run."""
    return ClinferServer.bind(model, device, **options)
