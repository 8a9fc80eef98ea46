"""Level 2 - Neural networks in NumPy, with backpropagation written by hand.

Later levels import what this level builds, for example::

    from level_2_neural_network.step2_network import forward_pass
    from level_2_neural_network.step3_train import backward, gradient_check
"""
