"""The Streamlit review app."""
