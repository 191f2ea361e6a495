"""Testing support: the local Gemini API emulator."""
