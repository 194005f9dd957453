"""JAX and optax have no VAE objective or reparameterisation function."""
_WHY = ('JAX and optax have no VAE objective or reparameterisation function')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"vae.kl_standard_normal": _WHY, "vae.reparameterize": _WHY, "vae.loss": _WHY}
