"""A simulated air-to-water heat pump with simple but real physics.

This is the default source for users without hardware and the test bed whose
ground truth (:class:`DemoTruth`) lets tests check every number the engine
computes. It imports nothing from Home Assistant.

Modules: :mod:`.physics` (constants and pure functions), :mod:`.settings`
(the user's seeded settings changes), :mod:`.truth` (ground truth),
:mod:`.simulator` (:class:`DemoHeatPump`, the step loop) and :mod:`.source`
(:class:`DemoSource`, the polled source around it).

Determinism
    Everything follows from ``seed`` and simulated time: weather noise, hot-water
    draws, defrost intervals and settings changes come from ``random.Random``
    instances seeded with strings derived from the seed (never the global RNG,
    never the wall clock). Simulation steps end on a fixed grid (multiples of
    ``step_s`` since the Unix epoch), so advancing A->B->C gives bit-identical
    results to A->C whenever B lies on that grid, and ``to_dict``/``from_dict``
    at B continues exactly. A step's state is decided at its start and held for
    the step (left Riemann sum); the reading returned by :meth:`advance` is the
    instantaneous state at ``to``, i.e. the state the next step will integrate.

Large gaps
    If one :meth:`DemoHeatPump.advance` call spans more than 2 days (e.g. Home
    Assistant was off for a week) the simulator fast-forwards with coarse steps of
    ``max(step_s, 300 s)`` up to 6 h before ``to`` and uses ``step_s`` for the rest.
    Counters stay monotonic; the result then differs slightly from a fine-step run.

Weather (°C, all times UTC)
    outdoor = annual mean + daily swing + noise, where the annual mean is
    ``9.5 + 8.5 cos(2 pi (day - 26 July) / 365.2425)`` (≈ 1 °C late January,
    ≈ 18 °C late July), the daily swing ``-4 cos(2 pi (hour - 5) / 24)``
    (minimum 05:00, maximum 17:00) and the noise a sum of five seeded sinusoids
    with periods 6 h ... 16 days and amplitudes 0.4/0.7/1.5/2.0/1.5 K
    (standard deviation ≈ 2 K).

Building and heating
    Room target: ``comfort_temperature`` (20 °C) inside ``heating_schedule``
    (06:00-22:00), ``reduced_temperature`` (17 °C) outside it; program
    ``comfort``/``reduced`` holds one of them all day. Space heating only while
    both the outdoor temperature and its damped value (without the daily swing)
    are below 16 °C, so summer nights do not heat. Heat demand
    ``UA * (room - outdoor)`` with UA = 0.25 kW/K.
    Flow setpoint (heating curve) ``room + slope * (room - outdoor)``, slope 0.8
    (setting ``heating_curve_slope``), clamped to 25-55 °C; with room = 20 °C this is
    ``20 + slope * (20 - outdoor)``. A building heat-deficit buffer (kWh) integrates
    demand minus delivered heat; the compressor starts when the deficit exceeds
    +0.5 kWh and stops when it falls below -0.5 kWh. While heating it delivers
    ``demand + deficit / 1 h`` clamped to 20-100 % of the rated thermal power
    (8 kW), so mild weather gives on/off cycles of tens of minutes and cold
    weather continuous modulation. Thermal output = rated * modulation / 100.
    Outside the heating season the deficit relaxes to zero (time constant 2 h).

Hot water (DHW)
    300 l tank (0.349 kWh/K), standing loss 1.5 W/K above 20 °C, cold water
    10 °C. Daily draws, seeded per day: morning 1.2-2.8 kWh over 10-20 min starting
    06:15-07:15, midday 0.2-0.6 kWh over 5 min (12:00-13:30), evening 1.5-3.5 kWh
    over 15-30 min starting 19:00-21:00. Heating to ``dhw_target_temperature``
    (50 °C) starts at each ``dhw_schedule`` time (06:00, 18:00) unless the tank is
    already at target, and at any time the tank falls below 40 °C. DHW runs at 100 %
    with flow = tank + 8 K; space heating pauses meanwhile.

Efficiency and electricity
    COP = 0.42 * T_flow[K] / (T_flow - T_outdoor), clamped to 1.5-7. Electrical
    power = heat / COP while running; 15 W standby when the compressor is off,
    plus 20 W for the circulation pump when it runs in standby.

Hydraulics
    Flow rate 20 l/min (configurable) while the circulation pump runs, 0 otherwise.
    Return = flow - dT with dT = P_kW / (flow_l_min / 60 * 4.186). With the
    compressor off, flow = return = loop water temperature, which relaxes
    towards 21 °C with a 30 min time constant.

Defrost
    Running time is accumulated while outdoor < 5 °C (and melts away 1:1 above).
    After 45-90 min (seeded per defrost) a 5 min defrost starts, only at outdoor
    < 5 °C: mode ``defrost``, compressor running at a nominal 50 %, heat -3 kW taken
    from the circuit that was being served, electricity 1.5 kW; then the previous
    purpose resumes. Ground truth books a defrost's heat and electricity to the
    purpose running when it began and also totals them as defrost.

Settings (``reading.settings``)
    8-14 minutes after the start, then every 1.5-4.5 days (seeded), one
    setting changes (the first one early, so that a first session sees a
    detected change on the change log): heating_curve_slope
    (0.6-1.0, step 0.1), comfort_temperature, reduced_temperature,
    dhw_target_temperature (48/50/52/55), heating_schedule, dhw_schedule,
    operating_program (normal/comfort/reduced). Half of the events (when any
    setting is off its default) put one changed setting back to its default, so
    the settings do not drift far from the defaults over a season.
    All of them act on the physics.

Readings
    ``electrical_power`` (W) is reported; ``thermal_power`` stays None so the
    integration's heat estimate is exercised. Like a real controller the
    simulated heat pump keeps its own lifetime counters (kWh), which start
    where years of use (seeded: 2-8 years of 3000-4500 kWh electricity) left
    them: ``electrical_energy`` (= ``counter_base["electrical_energy"]`` +
    ``truth.electrical_energy``), ``electrical_energy_heating`` /
    ``electrical_energy_dhw`` (base + truth by purpose), and the heat meter's
    ``thermal_energy_heating`` / ``thermal_energy_dhw`` (base + the running
    maximum of the net truth by purpose: a heat meter never counts down, so a
    defrost's negative heat is held and paid back before the counter moves
    on) and ``thermal_energy`` (their sum).
    ``extra`` holds ``dhw_tank_target``, ``building_deficit_kwh``, ``cop_true``
    (None while off), ``thermal_power_true`` (kW), ``heat_demand_kw``,
    ``flow_setpoint``, ``room_target_temperature`` and ``defrost_run_s``.

Resulting figures (Oct 1 - Apr 30, step 60 s, seeds 1-10)
    Seasonal COP 3.9-4.1 including hot water and defrosts, about 19 MWh heat,
    about 10 defrosts per cold day; about 4 µs per simulation step.
"""

from .physics import cop_true, delta_t_k
from .simulator import DemoHeatPump
from .source import DemoSource, demo_seed
from .truth import DemoTruth

__all__ = ["DemoHeatPump", "DemoSource", "DemoTruth", "cop_true", "delta_t_k", "demo_seed"]
