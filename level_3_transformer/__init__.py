"""Level 3 - The transformer, piece by piece, each piece checked against PyTorch."""

from buildai.catalog import Level, Step

COURSE_LEVEL = Level(
    number=3,
    title="Transformer",
    summary="Embeddings, positions, self-attention, multi-head attention and the transformer block.",
    steps=(
        Step("3.1", "step1_embedding.py", "Embeddings and positional encoding",
             tour_note="Each character becomes a list of numbers (an embedding), and each position gets a pattern of waves."),
        Step("3.2", "step2_attention.py", "Self-attention from scratch",
             tour_note="Attention lets every character look back at earlier ones and decide whom to listen to."),
        Step("3.3", "step3_transformer_block.py", "Multi-head attention and the transformer block",
             tour_note="Several attention heads, a feed-forward network, residual connections and LayerNorm make one block."),
        Step("3.4", "step4_put_it_together.py", "A complete mini-transformer language model",
             tour_note="Stack the blocks, add a head that scores every character, train briefly, and generate."),
    ),
)
