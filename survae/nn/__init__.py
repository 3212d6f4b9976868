"""Neural-network building blocks used as conditioners."""
