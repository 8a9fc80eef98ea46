"""Exercise 3.4 — the reference answer: the parts of one block, counted one by one."""


def block_parameters(C: int) -> int:
    """The number of learnable numbers in one transformer block with C numbers per position."""
    layer_norm = 2 * C  # C scales and C shifts

    def linear(inputs: int, outputs: int) -> int:
        return inputs * outputs + outputs  # weights and one bias per output

    attention = 3 * linear(C, C) + linear(C, C)  # query, key, value, then the output layer
    feed_forward = linear(C, 4 * C) + linear(4 * C, C)  # expand, then project
    return layer_norm + attention + layer_norm + feed_forward  # = 12·C² + 13·C
