"""The InferenceKey Python API reference's examples, verbatim (original imports). The page flattens the
indentation inside blocks and indents its numbered steps; both artefacts are repaired here."""

EXAMPLES: dict[str, str] = {
    "imports": "from inferencekey import (\nManagementClient, DataClient, Endpoint,\nWorkloadSpec, EndpointRef, TextResult, EmbedResult,\nBackend, TaskType, OnDrift, ExecutionPolicy,\nInferenceKeyError, PermissionDenied, AuthError,\nValidationError, ConfigurationError, ApiError,\n)\n",
    "from_env": 'mgmt = ManagementClient.from_env(project="acme") # reads INFERENCEKEY_SDK_TOKEN\n',
    "ensure": 'ref = mgmt.ensure(WorkloadSpec(\nname="support-bot", slug="support-bot",\nmodel="meta-llama/Llama-3.1-8B-Instruct", backend=Backend.VLLM,\ncommand="vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192",\n))\nprint(ref.project_slug, ref.workload_slug)\n',
    "wait_until_ready": "ref = mgmt.ensure(spec)\nmgmt.wait_until_ready(ref.workload_slug, timeout=600)\n# or handle progress yourself:\nmgmt.wait_until_ready(ref.workload_slug, on_progress=lambda e: print(e.phase, e.message))\n",
    "delete": 'existed = mgmt.delete(ref.workload_slug)\nprint("deleted" if existed else "already gone")\n',
    "data_from_env": 'data = DataClient.from_env(project="acme")\n',
    "endpoint": 'ep = data.endpoint(ref.workload_slug, api_key="ik_live_...")\n',
    "generate_text": 'out = ep.generate_text(prompt="Hola", temperature=0.2, max_tokens=300)\nprint(out.text, out.model)\n',
    "generate_text_stream": 'for chunk in ep.generate_text_stream(prompt="Hola"):\n    print(chunk.text, end="", flush=True)\n',
    "embed": 'emb = data.endpoint("billing", api_key="ik_live_...").embed(input=["a", "b"])\nprint(emb.embeddings) # list[list[float]]\n',
    "exceptions": 'from inferencekey import PermissionDenied, AuthError, InferenceKeyError\ntry:\n    ref = mgmt.ensure(spec)\nexcept PermissionDenied:\n    print("This token cannot provision — is it an ik_sdk_ key for this project?")\nexcept AuthError:\n    print("Check INFERENCEKEY_SDK_TOKEN.")\nexcept InferenceKeyError as e:\n    print(f"Provisioning failed: {e}")\n',
    "clean_up": 'mgmt = ManagementClient.from_env(project="acme")\nref = mgmt.ensure(spec)\ntry:\n    mgmt.wait_until_ready(ref.workload_slug, timeout=600)\n    # … use the endpoint …\nfinally:\n    mgmt.delete(ref.workload_slug) # idempotent; safe to always call\n',
    "e2e_provision": 'from inferencekey import ManagementClient, WorkloadSpec, Backend\nmgmt = ManagementClient.from_env(project="acme") # reads INFERENCEKEY_SDK_TOKEN\nref = mgmt.ensure(WorkloadSpec(\nname="support-bot", slug="support-bot",\nmodel="meta-llama/Llama-3.1-8B-Instruct", backend=Backend.VLLM,\ncommand="vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192",\n))\n',
    "e2e_call": 'from inferencekey import DataClient\ndata = DataClient.from_env(project="acme")\nep = data.endpoint(ref.workload_slug, api_key="ik_live_...")\nout = ep.generate_text(prompt="Hola", temperature=0.2, max_tokens=300)\nprint(out.text)\n',
    "e2e_delete": "mgmt.delete(ref.workload_slug)\n",
}
