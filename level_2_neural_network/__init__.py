"""Level 2 - Neural networks in NumPy, with backpropagation written by hand.

Later levels import what this level builds, for example::

    from level_2_neural_network.step2_network import forward_pass
    from level_2_neural_network.step3_train import backward, gradient_check
"""

from buildai.catalog import Level, Step

# The tour runs every step with its defaults: about 20 seconds on 2 cores.
LEVEL_2_STEPS = (
    Step("2.1", "step1_neuron.py", "A single neuron learns AND and OR, and fails XOR",
         tour_note="A neuron weighs its inputs, adds them up and squashes the sum. "
                   "Gradient descent nudges the weights until its answers are right."),
    Step("2.2", "step2_network.py", "A small network that solves XOR",
         tour_note="One neuron can only draw one straight line. A hidden layer lets a network bend the line."),
    Step("2.3", "step3_train.py", "A character-level network trained with backpropagation",
         tour_note="The same next-letter task as Level 1, but learned: backpropagation passes the blame "
                   "for each wrong guess backwards through the network."),
    Step("2.4", "step4_visualize.py", "Loss curves and what the network learned",
         tour_note="Pictures of training: the loss falling, and the network's next-letter guesses next to the bigram's."),
)

COURSE_LEVEL = Level(2, "Neural networks", "One neuron, then a network, then a character model trained "
                     "with hand-written backpropagation.", LEVEL_2_STEPS)
