# Rendered from the core's API declaration (core/src/api.cpp) by bindings/api/api_render.cpp; do not edit (docs/api.md).
# Docstrings, names and keyword constructors of the methods; each passes only the
# keywords given (those not `missing`) to homopt_method_create (method_given, HomOpt.jl).

"""
    Gradient(; lr = 0.01)

Plain gradient descent:

    V = -lr*g

- `lr` (default 0.01; finite, > 0): learning rate (step length per unit gradient)
"""
const Gradient = Method{:Gradient}
Method{:Gradient}(; lr::Union{Real, Missing} = missing) =
    method_given(:Gradient; lr = lr)

"""
    Momentum(; lr = 0.001, alpha = 0.01)

Heavy-ball momentum:

    m <- alpha*m + g (m starts at 0);  V = -lr*m

- `lr` (default 0.001; finite, > 0): learning rate
- `alpha` (default 0.01; 0 ≤ value < 1): momentum decay factor
"""
const Momentum = Method{:Momentum}
Method{:Momentum}(; lr::Union{Real, Missing} = missing, alpha::Union{Real, Missing} = missing) =
    method_given(:Momentum; lr = lr, alpha = alpha)

"""
    Adam(; lr = 0.001, beta1 = 0.9, beta2 = 0.99, eps = 3e-07, amsgrad = false)

Adam with bias correction, element-wise on the coordinates:

    m <- beta1*m + (1-beta1)*g;  v <- beta2*v + (1-beta2)*g*g  (element-wise);
    m_hat = m/(1-beta1^t);  v_hat = v/(1-beta2^t)  (amsgrad: v_max <- max(v_max, v) in place of v);
    V = -lr*m_hat/(sqrt(v_hat) + eps)

- `lr` (default 0.001; finite, > 0): learning rate
- `beta1` (default 0.9; 0 ≤ value < 1): decay rate of the first-moment average m
- `beta2` (default 0.99; 0 ≤ value < 1): decay rate of the second-moment average v
- `eps` (default 3e-07; finite, > 0): added to sqrt(v_hat) in the denominator
- `amsgrad` (default false; 0 or 1 (a bool)): use the running maximum of the second moment (AMSGrad)
"""
const Adam = Method{:Adam}
Method{:Adam}(; lr::Union{Real, Missing} = missing, beta1::Union{Real, Missing} = missing, beta2::Union{Real, Missing} = missing, eps::Union{Real, Missing} = missing, amsgrad::Union{Bool, Missing} = missing) =
    method_given(:Adam; lr = lr, beta1 = beta1, beta2 = beta2, eps = eps, amsgrad = amsgrad)

"""
    AdamWithDecay(; decay_steps = 1000, lr_start = 0.01, lr_end = 1e-06, beta1 = 0.9, beta2 = 0.99, eps = 1e-08, amsgrad = false)

Adam whose learning rate decays exponentially from lr_start to lr_end:

    lr(t) = lr_start*(lr_end/lr_start)^(min(t-1, S-1)/(S-1)), S = decay_steps (S = 1: lr(t) = lr_end);
    then Adam with lr = lr(t):
    m <- beta1*m + (1-beta1)*g;  v <- beta2*v + (1-beta2)*g*g  (element-wise);
    m_hat = m/(1-beta1^t);  v_hat = v/(1-beta2^t)  (amsgrad: v_max <- max(v_max, v) in place of v);
    V = -lr*m_hat/(sqrt(v_hat) + eps)

- `decay_steps` (default 1000; whole, 1 ≤ value ≤ 9007199254740992): steps S over which lr decays from lr_start to lr_end
- `lr_start` (default 0.01; finite, > 0): learning rate at step 1
- `lr_end` (default 1e-06; finite, > 0): learning rate from step S on
- `beta1` (default 0.9; 0 ≤ value < 1): decay rate of the first-moment average m
- `beta2` (default 0.99; 0 ≤ value < 1): decay rate of the second-moment average v
- `eps` (default 1e-08; finite, > 0): added to sqrt(v_hat) in the denominator
- `amsgrad` (default false; 0 or 1 (a bool)): use the running maximum of the second moment (AMSGrad)
"""
const AdamWithDecay = Method{:AdamWithDecay}
Method{:AdamWithDecay}(; decay_steps::Union{Integer, Missing} = missing, lr_start::Union{Real, Missing} = missing, lr_end::Union{Real, Missing} = missing, beta1::Union{Real, Missing} = missing, beta2::Union{Real, Missing} = missing, eps::Union{Real, Missing} = missing, amsgrad::Union{Bool, Missing} = missing) =
    method_given(:AdamWithDecay; decay_steps = as_count(decay_steps, "decay_steps"), lr_start = lr_start, lr_end = lr_end, beta1 = beta1, beta2 = beta2, eps = eps, amsgrad = amsgrad)

"""
    BFGS(; lr = 0.01, eps = 1e-08, max_dimension = 4096)

BFGS with a dense inverse Hessian H on the coordinates, safeguarded:

    V = -lr*H*g;  with s = previous V, y = g - g_previous, b = -lr*g_previous:
    update H only if s'y > eps*|s|*|y| and s'y >= 0.2*s'b; damp y towards b so that r'Hr <= 1000*s'r;
    H <- (I - rho*s*r')*H*(I - rho*r*s') + rho*s*s', rho = 1/(s'r), kept only if H stays positive definite

- `lr` (default 0.01; finite, > 0): learning rate; 1/lr is the curvature the model starts from
- `eps` (default 1e-08; finite, > 0): skip the update unless s'y > eps*|s|*|y| (scale-free curvature test)
- `max_dimension` (default 4096; whole, 1 ≤ value ≤ 46340): largest parameter dimension d accepted (H has d*d entries)
"""
const BFGS = Method{:BFGS}
Method{:BFGS}(; lr::Union{Real, Missing} = missing, eps::Union{Real, Missing} = missing, max_dimension::Union{Integer, Missing} = missing) =
    method_given(:BFGS; lr = lr, eps = eps, max_dimension = as_count(max_dimension, "max_dimension"))
