"""The MetalCloud SDK reference's examples, verbatim (original imports)."""

EXAMPLES: dict[str, str] = {
    "client": 'import metalcloud\n\n# Using environment variable (recommended)\nclient = metalcloud.Client()\n\n# Or with explicit API key\nclient = metalcloud.Client(api_key="mc_...")\n\n# With custom options\nclient = metalcloud.Client(\n    api_key="mc_...",\n    base_url="https://api.metalcloud.space",\n    timeout=60\n)\n',
    "inference": '# Basic inference\nresponse = client.inference(\n    model="meta-llama/Llama-3.3-70B",\n    prompt="Explain quantum computing",\n    max_tokens=500\n)\nprint(response.text)\n\n# Streaming inference\nfor chunk in client.inference(\n    model="meta-llama/Llama-3.3-70B",\n    prompt="Write a story",\n    stream=True\n):\n    print(chunk.text, end="")\n\n# Chat format\nresponse = client.inference(\n    model="meta-llama/Llama-3.3-70B",\n    messages=[\n        {"role": "system", "content": "You are a helpful assistant."},\n        {"role": "user", "content": "Hello!"}\n    ]\n)\n',
    "list_models": 'models = client.list_models()\n\nfor model in models:\n    print(f"{model.id}: {model.parameters}B params")\n',
    "get_job": 'job = client.get_job(job_id="job_abc123")\nprint(job.status)  # "pending", "running", "completed", "failed"\nprint(job.result)  # Output when completed\n',
    "list_jobs": 'jobs = client.list_jobs(\n    limit=10,\n    status="completed"\n)\n\nfor job in jobs:\n    print(f"{job.id}: {job.status}")\n',
    "error_handling": 'from metalcloud.exceptions import (\n    AuthenticationError,\n    RateLimitError,\n    InsufficientCreditsError,\n    ModelNotFoundError\n)\n\ntry:\n    response = client.inference(...)\nexcept AuthenticationError:\n    print("Invalid API key")\nexcept RateLimitError as e:\n    print(f"Rate limited. Retry after {e.retry_after}s")\nexcept InsufficientCreditsError:\n    print("Add credits to continue")\n',
}
