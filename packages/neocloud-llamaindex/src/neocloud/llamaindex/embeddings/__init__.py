"""LlamaIndex embeddings for the providers whose wire API has them (lazy: nothing imported here)."""
