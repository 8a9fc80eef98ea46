"""Level 3 - The transformer, piece by piece, each piece checked against PyTorch.

Later levels import what this level builds, for example::

    from level_3_transformer.step1_embedding import sinusoidal_positional_encoding
    from level_3_transformer.step2_attention import scaled_dot_product_attention
    from level_3_transformer.step3_transformer_block import FeedForward, MultiHeadAttention, TransformerBlock
    from level_3_transformer.step4_put_it_together import (
        MiniTransformer, get_batch, count_parameters_by_part, sample_next_token)
"""

from buildai.catalog import Level, Step

# The tour's quick path: steps 2 and 3 with their defaults, steps 1 and 4 shortened.
# Together well under a minute on 2 cores (most of it is Python importing PyTorch, about 3 s per step).
LEVEL_3_STEPS = (
    Step("3.1", "step1_embedding.py", "Embeddings and positional encoding",
         tour_args=("--steps", "150"),
         tour_note="Each character becomes a list of numbers (an embedding), and each position gets a pattern of waves. "
                   "A short training moves the embeddings: characters that behave alike, like the vowels, move closer."),
    Step("3.2", "step2_attention.py", "Self-attention from scratch",
         tour_note="Attention lets every character look back at earlier ones and decide whom to listen to, "
                   "like students in a classroom. We do it by hand on \"chai is hot\" and check it against PyTorch."),
    Step("3.3", "step3_transformer_block.py", "Multi-head attention and the transformer block",
         tour_note="Several attention heads, a feed-forward network, residual connections and LayerNorm make one block. "
                   "We trace the shapes through it and compare with torch.nn.MultiheadAttention."),
    Step("3.4", "step4_put_it_together.py", "A complete mini-transformer language model",
         tour_args=("--steps", "120", "--block-size", "32", "--eval-batches", "4", "--length", "120"),
         tour_note="Stack the blocks, add a head that scores every character, train briefly, and generate."),
)

COURSE_LEVEL = Level(3, "Transformer", "Embeddings, positional encoding, self-attention, multi-head attention "
                     "and the transformer block, each checked against PyTorch.", LEVEL_3_STEPS)

