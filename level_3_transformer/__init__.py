"""Level 3 - The transformer, piece by piece, each piece checked against PyTorch.

Later levels import what this level builds, for example::

    from level_3_transformer.step1_embedding import sinusoidal_positional_encoding
    from level_3_transformer.step2_attention import scaled_dot_product_attention
    from level_3_transformer.step3_transformer_block import FeedForward, MultiHeadAttention, TransformerBlock
    from level_3_transformer.step4_put_it_together import MiniTransformer, sample_next_token
    from level_3_transformer.batches import get_batch                          # training windows
    from level_3_transformer.parameter_count import count_parameters_by_part   # the size table
"""
