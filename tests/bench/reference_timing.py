"""The timing loop the PyTorch reference scripts share: warm-up steps, then as many steps as fit
in `seconds` (at least one), as the Google Benchmark steps they are compared with."""
import time


def ms_per_step(step, seconds, warmup=3):
    """Mean wall-clock milliseconds of step() after `warmup` untimed calls, and the timed count."""
    for _ in range(warmup):
        step()
    steps, start = 0, time.perf_counter()
    while steps == 0 or time.perf_counter() - start < seconds:
        step()
        steps += 1
    return (time.perf_counter() - start) / steps * 1e3, steps
