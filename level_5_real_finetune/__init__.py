"""Level 5 - Fine-tune a real model: LoRA with transformers and PEFT, turning a language model into a school-question answerer."""
