//! Physical quantities with units: parsing `"20 ms"`, `"0.1 mS/cm^2"`, `"100 ohm*cm"`,
//! checking dimensions, and converting to the working units the models compute in.
//!
//! A quantity is stored as its value in SI base units together with its [`Dimension`]
//! (exponents of metre, kilogram, second, ampere and kelvin). Models never see SI values:
//! each dimension has one *working unit* ([`Dimension::working_unit`]) chosen so that the
//! equations of the models need no conversion factors: time in ms, voltage in mV, current
//! in pA, conductance in nS, capacitance in pF (pA/pF = mV/ms; nS·mV = pA), and for
//! membrane densities µA/cm², mS/cm², µF/cm² (mS/cm²·mV = µA/cm²).
//!
//! Grammar of a unit expression: factors joined by `*`, `·` or `/` (left to right, so
//! `mS/cm^2` is mS·cm⁻²), each factor a symbol with an optional SI prefix and an optional
//! integer power written `^2`, `^-1` or `**2`; parentheses group; `1/ms` is allowed. Symbols:
//! `s`, `m`, `g`, `A`, `K`, `V`, `S`, `F`, `ohm` (or `Ω`), `Hz`, `C` (coulomb), `W`, `J`, `N`,
//! `min`, `h` (hour) and the unprefixed `degC` (°C, only alone: it is an offset scale).
//! Prefixes: `p n u µ m c d k M G`.

use std::fmt;

/// Exponents of the SI base dimensions a neuroscience model needs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Dimension {
    /// Exponent of length (metre).
    pub length: i8,
    /// Exponent of mass (kilogram).
    pub mass: i8,
    /// Exponent of time (second).
    pub time: i8,
    /// Exponent of electric current (ampere).
    pub current: i8,
    /// Exponent of temperature (kelvin).
    pub temperature: i8,
}

const fn dim(length: i8, mass: i8, time: i8, current: i8, temperature: i8) -> Dimension {
    Dimension {
        length,
        mass,
        time,
        current,
        temperature,
    }
}

impl Dimension {
    /// A pure number.
    pub const DIMENSIONLESS: Dimension = dim(0, 0, 0, 0, 0);
    /// Time (s).
    pub const TIME: Dimension = dim(0, 0, 1, 0, 0);
    /// Frequency or rate (Hz = 1/s).
    pub const FREQUENCY: Dimension = dim(0, 0, -1, 0, 0);
    /// Electric potential (V = kg·m²·s⁻³·A⁻¹).
    pub const VOLTAGE: Dimension = dim(2, 1, -3, -1, 0);
    /// Electric current (A).
    pub const CURRENT: Dimension = dim(0, 0, 0, 1, 0);
    /// Current per membrane area (A/m²).
    pub const CURRENT_DENSITY: Dimension = dim(-2, 0, 0, 1, 0);
    /// Conductance (S = A/V).
    pub const CONDUCTANCE: Dimension = dim(-2, -1, 3, 2, 0);
    /// Conductance per membrane area (S/m²).
    pub const CONDUCTANCE_DENSITY: Dimension = dim(-4, -1, 3, 2, 0);
    /// Capacitance (F = C/V).
    pub const CAPACITANCE: Dimension = dim(-2, -1, 4, 2, 0);
    /// Capacitance per membrane area (F/m²).
    pub const CAPACITANCE_DENSITY: Dimension = dim(-4, -1, 4, 2, 0);
    /// Resistance (Ω = V/A).
    pub const RESISTANCE: Dimension = dim(2, 1, -3, -2, 0);
    /// Resistivity, e.g. axial resistivity (Ω·m).
    pub const RESISTIVITY: Dimension = dim(3, 1, -3, -2, 0);
    /// Resistance times area, e.g. specific membrane resistance (Ω·m²).
    pub const AREA_RESISTANCE: Dimension = dim(4, 1, -3, -2, 0);
    /// Length (m).
    pub const LENGTH: Dimension = dim(1, 0, 0, 0, 0);
    /// Area (m²).
    pub const AREA: Dimension = dim(2, 0, 0, 0, 0);
    /// Electric charge (C = A·s).
    pub const CHARGE: Dimension = dim(0, 0, 1, 1, 0);
    /// Thermodynamic temperature (K).
    pub const TEMPERATURE: Dimension = dim(0, 0, 0, 0, 1);

    /// The product of two dimensions (exponents add).
    pub const fn times(self, other: Dimension) -> Dimension {
        dim(
            self.length + other.length,
            self.mass + other.mass,
            self.time + other.time,
            self.current + other.current,
            self.temperature + other.temperature,
        )
    }

    /// This dimension raised to an integer power.
    pub const fn powi(self, power: i8) -> Dimension {
        dim(
            self.length * power,
            self.mass * power,
            self.time * power,
            self.current * power,
            self.temperature * power,
        )
    }

    /// The name a neuroscientist would use for this dimension, where it has one.
    pub fn name(self) -> Option<&'static str> {
        NAMED_DIMENSIONS
            .iter()
            .find(|named| named.dimension == self)
            .map(|named| named.name)
    }

    /// The unit models compute in for this dimension, with an example of how to write a
    /// quantity of it. `None` for dimensions no model parameter has.
    pub fn working_unit(self) -> Option<&'static str> {
        NAMED_DIMENSIONS
            .iter()
            .find(|named| named.dimension == self)
            .map(|named| named.working_unit)
    }

    /// A short example quantity of this dimension, for error messages.
    pub fn example(self) -> Option<&'static str> {
        NAMED_DIMENSIONS
            .iter()
            .find(|named| named.dimension == self)
            .map(|named| named.example)
    }
}

struct NamedDimension {
    dimension: Dimension,
    name: &'static str,
    working_unit: &'static str,
    example: &'static str,
}

const NAMED_DIMENSIONS: &[NamedDimension] = &[
    NamedDimension {
        dimension: Dimension::DIMENSIONLESS,
        name: "dimensionless number",
        working_unit: "1",
        example: "0.5",
    },
    NamedDimension {
        dimension: Dimension::TIME,
        name: "time",
        working_unit: "ms",
        example: "20 ms",
    },
    NamedDimension {
        dimension: Dimension::FREQUENCY,
        name: "frequency",
        working_unit: "Hz",
        example: "10 Hz",
    },
    NamedDimension {
        dimension: Dimension::VOLTAGE,
        name: "voltage",
        working_unit: "mV",
        example: "-65 mV",
    },
    NamedDimension {
        dimension: Dimension::CURRENT,
        name: "current",
        working_unit: "pA",
        example: "0.5 nA",
    },
    NamedDimension {
        dimension: Dimension::CURRENT_DENSITY,
        name: "current density",
        working_unit: "uA/cm^2",
        example: "10 uA/cm^2",
    },
    NamedDimension {
        dimension: Dimension::CONDUCTANCE,
        name: "conductance",
        working_unit: "nS",
        example: "10 nS",
    },
    NamedDimension {
        dimension: Dimension::CONDUCTANCE_DENSITY,
        name: "conductance density",
        working_unit: "mS/cm^2",
        example: "0.3 mS/cm^2",
    },
    NamedDimension {
        dimension: Dimension::CAPACITANCE,
        name: "capacitance",
        working_unit: "pF",
        example: "250 pF",
    },
    NamedDimension {
        dimension: Dimension::CAPACITANCE_DENSITY,
        name: "capacitance density",
        working_unit: "uF/cm^2",
        example: "1 uF/cm^2",
    },
    NamedDimension {
        dimension: Dimension::RESISTANCE,
        name: "resistance",
        working_unit: "Gohm",
        example: "100 Mohm",
    },
    NamedDimension {
        dimension: Dimension::RESISTIVITY,
        name: "resistivity",
        working_unit: "ohm*cm",
        example: "100 ohm*cm",
    },
    NamedDimension {
        dimension: Dimension::AREA_RESISTANCE,
        name: "specific membrane resistance",
        working_unit: "ohm*cm^2",
        example: "20000 ohm*cm^2",
    },
    NamedDimension {
        dimension: Dimension::LENGTH,
        name: "length",
        working_unit: "um",
        example: "100 um",
    },
    NamedDimension {
        dimension: Dimension::AREA,
        name: "area",
        working_unit: "um^2",
        example: "1000 um^2",
    },
    NamedDimension {
        dimension: Dimension::CHARGE,
        name: "charge",
        working_unit: "pC",
        example: "1 pC",
    },
    NamedDimension {
        dimension: Dimension::TEMPERATURE,
        name: "temperature",
        working_unit: "K",
        example: "6.3 degC",
    },
];

impl fmt::Display for Dimension {
    /// Writes the dimension's name where it has one, else its SI base units (`m^2 kg s^-3`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self.name() {
            return f.write_str(name);
        }
        let mut parts = Vec::new();
        for (symbol, exponent) in [
            ("m", self.length),
            ("kg", self.mass),
            ("s", self.time),
            ("A", self.current),
            ("K", self.temperature),
        ] {
            match exponent {
                0 => {}
                1 => parts.push(symbol.to_string()),
                e => parts.push(format!("{symbol}^{e}")),
            }
        }
        write!(f, "{}", parts.join(" "))
    }
}

/// A unit: multiply a value in this unit by `scale` and add `offset` to get SI.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Unit {
    /// SI value of one of this unit.
    pub scale: f64,
    /// Added after scaling; non-zero only for degrees Celsius.
    pub offset: f64,
    /// What the unit measures.
    pub dimension: Dimension,
}

impl Unit {
    /// Parses a unit expression such as `"mS/cm^2"`.
    pub fn parse(text: &str) -> Result<Unit, UnitError> {
        parse_unit(text)
    }

    /// The working unit of a dimension (see [`Dimension::working_unit`]).
    pub fn working(dimension: Dimension) -> Option<Unit> {
        dimension
            .working_unit()
            .map(|text| parse_unit(text).expect("working units are valid unit expressions"))
    }
}

/// A physical quantity: a value in SI units and its dimension.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Quantity {
    /// The value in SI base units (kelvin for temperatures).
    pub si_value: f64,
    /// What the quantity measures.
    pub dimension: Dimension,
}

impl Quantity {
    /// Parses a quantity such as `"-65 mV"` or `"0.1 mS/cm^2"`; a bare number is dimensionless.
    pub fn parse(text: &str) -> Result<Quantity, UnitError> {
        parse_quantity(text)
    }

    /// The value expressed in `unit`; the caller guarantees matching dimensions.
    pub fn value_in(&self, unit: &Unit) -> f64 {
        debug_assert_eq!(self.dimension, unit.dimension);
        (self.si_value - unit.offset) / unit.scale
    }

    /// The value in the working unit of its dimension, or `None` for unusual dimensions.
    pub fn working_value(&self) -> Option<f64> {
        Unit::working(self.dimension).map(|unit| self.value_in(&unit))
    }
}

/// Why a quantity or unit could not be read. `position` is a byte offset into the text.
#[derive(Clone, PartialEq, Debug, thiserror::Error)]
#[error("{message}")]
pub struct UnitError {
    /// What went wrong, in words.
    pub message: String,
    /// Byte offset of the problem in the parsed text.
    pub position: usize,
}

fn unit_error(message: impl Into<String>, position: usize) -> UnitError {
    UnitError {
        message: message.into(),
        position,
    }
}

/// SI value and dimension of each unit symbol (without prefix).
const SYMBOLS: &[(&str, f64, Dimension)] = &[
    ("s", 1.0, Dimension::TIME),
    ("min", 60.0, Dimension::TIME),
    ("h", 3600.0, Dimension::TIME),
    ("m", 1.0, Dimension::LENGTH),
    ("g", 1e-3, dim(0, 1, 0, 0, 0)),
    ("A", 1.0, Dimension::CURRENT),
    ("K", 1.0, Dimension::TEMPERATURE),
    ("V", 1.0, Dimension::VOLTAGE),
    ("S", 1.0, Dimension::CONDUCTANCE),
    ("F", 1.0, Dimension::CAPACITANCE),
    ("ohm", 1.0, Dimension::RESISTANCE),
    ("Ohm", 1.0, Dimension::RESISTANCE),
    ("Ω", 1.0, Dimension::RESISTANCE),
    ("Hz", 1.0, Dimension::FREQUENCY),
    ("C", 1.0, Dimension::CHARGE),
    ("W", 1.0, dim(2, 1, -3, 0, 0)),
    ("J", 1.0, dim(2, 1, -2, 0, 0)),
    ("N", 1.0, dim(1, 1, -2, 0, 0)),
];

const PREFIXES: &[(&str, f64)] = &[
    ("p", 1e-12),
    ("n", 1e-9),
    ("u", 1e-6),
    ("µ", 1e-6),
    ("μ", 1e-6),
    ("m", 1e-3),
    ("c", 1e-2),
    ("d", 1e-1),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
];

/// Units that only make sense unprefixed and alone (offset scales).
const CELSIUS: &[&str] = &["degC", "°C", "celsius"];
const KELVIN_AT_ZERO_CELSIUS: f64 = 273.15;

fn lookup_symbol(word: &str) -> Option<(f64, Dimension)> {
    if let Some(&(_, scale, dimension)) = SYMBOLS.iter().find(|(s, _, _)| *s == word) {
        return Some((scale, dimension));
    }
    // Minutes and hours are not prefixed: "mh" is not a unit anyone means.
    for &(prefix, factor) in PREFIXES {
        if let Some(rest) = word.strip_prefix(prefix)
            && let Some(&(_, scale, dimension)) = SYMBOLS
                .iter()
                .find(|(s, _, _)| *s == rest && *s != "min" && *s != "h")
        {
            return Some((factor * scale, dimension));
        }
    }
    None
}

/// Parses a unit expression (see the module documentation for the grammar).
pub fn parse_unit(text: &str) -> Result<Unit, UnitError> {
    let trimmed = text.trim();
    let lead = text.len() - text.trim_start().len();
    if CELSIUS.contains(&trimmed) {
        return Ok(Unit {
            scale: 1.0,
            offset: KELVIN_AT_ZERO_CELSIUS,
            dimension: Dimension::TEMPERATURE,
        });
    }
    if trimmed.is_empty() {
        return Ok(Unit {
            scale: 1.0,
            offset: 0.0,
            dimension: Dimension::DIMENSIONLESS,
        });
    }
    let mut parser = UnitParser {
        text,
        position: lead,
    };
    let (scale, dimension) = parser.expression()?;
    parser.skip_spaces();
    if parser.position < text.len() {
        let rest = &text[parser.position..];
        return Err(unit_error(
            format!("unexpected `{}` in unit `{trimmed}`", first_char(rest)),
            parser.position,
        ));
    }
    Ok(Unit {
        scale,
        offset: 0.0,
        dimension,
    })
}

fn first_char(text: &str) -> &str {
    text.chars()
        .next()
        .map(|c| &text[..c.len_utf8()])
        .unwrap_or("")
}

struct UnitParser<'a> {
    text: &'a str,
    position: usize,
}

impl UnitParser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.position..]
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.position += rest.len() - rest.trim_start().len();
    }

    /// expression := factor (('*' | '·' | '/' | ' ') factor)*
    fn expression(&mut self) -> Result<(f64, Dimension), UnitError> {
        let (mut scale, mut dimension) = self.factor()?;
        loop {
            self.skip_spaces();
            let rest = self.rest();
            let divide = if rest.starts_with('/') {
                self.position += 1;
                true
            } else if rest.starts_with('*') && !rest.starts_with("**") {
                self.position += 1;
                false
            } else if rest.starts_with('·') {
                self.position += '·'.len_utf8();
                false
            } else if rest.starts_with(|c: char| c.is_alphabetic() || c == 'Ω' || c == '(') {
                false // juxtaposition: "ohm cm"
            } else {
                return Ok((scale, dimension));
            };
            self.skip_spaces();
            let (factor_scale, factor_dimension) = self.factor()?;
            if divide {
                scale /= factor_scale;
                dimension = dimension.times(factor_dimension.powi(-1));
            } else {
                scale *= factor_scale;
                dimension = dimension.times(factor_dimension);
            }
        }
    }

    /// factor := (symbol | '1' | '(' expression ')') power?
    fn factor(&mut self) -> Result<(f64, Dimension), UnitError> {
        self.skip_spaces();
        let start = self.position;
        let rest = self.rest();
        let (scale, dimension) = if let Some(inner) = rest.strip_prefix('(') {
            let _ = inner;
            self.position += 1;
            let value = self.expression()?;
            self.skip_spaces();
            if !self.rest().starts_with(')') {
                return Err(unit_error("missing `)` in unit", self.position));
            }
            self.position += 1;
            value
        } else if rest.starts_with('1') {
            self.position += 1;
            (1.0, Dimension::DIMENSIONLESS)
        } else {
            let length: usize = rest
                .char_indices()
                .find(|&(_, c)| !(c.is_alphabetic() || c == 'Ω' || c == 'µ' || c == '°'))
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            if length == 0 {
                let found = first_char(rest);
                let message = if found.is_empty() {
                    "a unit is missing after the operator".to_string()
                } else {
                    format!("expected a unit symbol, found `{found}`")
                };
                return Err(unit_error(message, start));
            }
            let word = &rest[..length];
            if CELSIUS.contains(&word) {
                return Err(unit_error(
                    "degC is an offset scale and cannot be combined with other units; use K",
                    start,
                ));
            }
            let Some(value) = lookup_symbol(word) else {
                return Err(unit_error(format!("unknown unit `{word}`"), start));
            };
            self.position += length;
            value
        };
        let power = self.power()?;
        Ok((scale.powi(power as i32), dimension.powi(power)))
    }

    /// power := ('^' | '**') '-'? digits
    fn power(&mut self) -> Result<i8, UnitError> {
        let rest = self.rest();
        let marker = if rest.starts_with("**") {
            2
        } else if rest.starts_with('^') {
            1
        } else {
            return Ok(1);
        };
        self.position += marker;
        let start = self.position;
        let rest = self.rest();
        let sign_length = usize::from(rest.starts_with('-') || rest.starts_with('+'));
        let digits = rest[sign_length..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        if digits == 0 {
            return Err(unit_error("expected an integer power after `^`", start));
        }
        let text = rest[..sign_length + digits].to_string();
        self.position += text.len();
        text.parse::<i8>()
            .ok()
            .filter(|p| p.abs() <= 9)
            .ok_or_else(|| unit_error(format!("power `{text}` is out of range"), start))
    }
}

/// Parses a quantity: a decimal number (with optional exponent) followed by a unit expression.
pub fn parse_quantity(text: &str) -> Result<Quantity, UnitError> {
    let lead = text.len() - text.trim_start().len();
    let body = text.trim();
    if body.is_empty() {
        return Err(unit_error(
            "empty quantity: expected a number and a unit",
            0,
        ));
    }
    let number_length = number_prefix_length(body);
    if number_length == 0 {
        return Err(unit_error(
            format!("expected a number at the start of `{body}`"),
            lead,
        ));
    }
    let number_text = &body[..number_length];
    let value: f64 = number_text
        .parse()
        .map_err(|_| unit_error(format!("`{number_text}` is not a number"), lead))?;
    let unit_text = &body[number_length..];
    let unit = parse_unit(unit_text).map_err(|error| UnitError {
        position: error.position + lead + number_length,
        ..error
    })?;
    Ok(Quantity {
        si_value: value * unit.scale + unit.offset,
        dimension: unit.dimension,
    })
}

/// Length of the longest prefix of `text` that is a decimal floating-point literal.
pub(crate) fn number_prefix_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        i += 1;
    }
    let mantissa_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i == mantissa_start || (i == mantissa_start + 1 && bytes[mantissa_start] == b'.') {
        return 0;
    }
    // An exponent only if digits follow: "2e-3 s" is a number, "2 eV" is not our business.
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        let digits_start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j > digits_start {
            i = j;
        }
    }
    i
}

/// Formats a value given in the working unit of `dimension` for messages, e.g. `20 ms`.
pub fn format_working(value: f64, dimension: Dimension) -> String {
    match dimension.working_unit() {
        Some("1") | None => format!("{value}"),
        Some(unit) => format!("{value} {unit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn working(text: &str) -> f64 {
        parse_quantity(text).unwrap().working_value().unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
    }

    #[test]
    fn simple_quantities_convert_to_working_units() {
        assert!(close(working("20 ms"), 20.0));
        assert!(close(working("0.02 s"), 20.0));
        assert!(close(working("-65 mV"), -65.0));
        assert!(close(working("0.5 nA"), 500.0));
        assert!(close(working("10 Hz"), 10.0));
        assert!(close(working("250 pF"), 250.0));
        assert!(close(working("100 Mohm"), 0.1));
        assert!(close(working("2e-3 s"), 2.0));
        assert!(close(working("1.5e1ms"), 15.0));
        assert!(close(working("+3 mV"), 3.0));
        assert!(close(working(".5 ms"), 0.5));
    }

    #[test]
    fn compound_units_have_the_right_dimension_and_scale() {
        let q = parse_quantity("0.1 mS/cm^2").unwrap();
        assert_eq!(q.dimension, Dimension::CONDUCTANCE_DENSITY);
        // 0.1 mS/cm² = 1e-4 S / 1e-4 m² = 1 S/m².
        assert!(close(q.si_value, 1.0));
        assert!(close(q.working_value().unwrap(), 0.1));

        let q = parse_quantity("1 uA/cm^2").unwrap();
        assert_eq!(q.dimension, Dimension::CURRENT_DENSITY);
        assert!(close(q.si_value, 1e-2));

        let q = parse_quantity("1 uF/cm^2").unwrap();
        assert_eq!(q.dimension, Dimension::CAPACITANCE_DENSITY);
        assert!(close(q.si_value, 1e-2));

        let q = parse_quantity("100 ohm*cm").unwrap();
        assert_eq!(q.dimension, Dimension::RESISTIVITY);
        assert!(close(q.si_value, 1.0));
        assert!(close(q.working_value().unwrap(), 100.0));

        let q = parse_quantity("20000 ohm cm^2").unwrap();
        assert_eq!(q.dimension, Dimension::AREA_RESISTANCE);
        assert!(close(q.si_value, 2.0));

        // V/A is Ω, A*s is C, 1/ms is a rate, (V*A)/(A) is V.
        assert_eq!(parse_unit("V/A").unwrap().dimension, Dimension::RESISTANCE);
        assert_eq!(parse_unit("A*s").unwrap().dimension, Dimension::CHARGE);
        let per_ms = parse_unit("1/ms").unwrap();
        assert_eq!(per_ms.dimension, Dimension::FREQUENCY);
        assert!(close(per_ms.scale, 1000.0));
        assert_eq!(
            parse_unit("(V*A)/(A)").unwrap().dimension,
            Dimension::VOLTAGE
        );
        assert_eq!(
            parse_unit("mS*cm**-2").unwrap().dimension,
            Dimension::CONDUCTANCE_DENSITY
        );
        assert_eq!(
            parse_unit("µF·cm^-2").unwrap().dimension,
            Dimension::CAPACITANCE_DENSITY
        );
        // Base-unit check of the derived symbols: S·V = A, F·V = C, Ω·A = V.
        assert_eq!(
            Dimension::CONDUCTANCE.times(Dimension::VOLTAGE),
            Dimension::CURRENT
        );
        assert_eq!(
            Dimension::CAPACITANCE.times(Dimension::VOLTAGE),
            Dimension::CHARGE
        );
        assert_eq!(
            Dimension::RESISTANCE.times(Dimension::CURRENT),
            Dimension::VOLTAGE
        );
    }

    #[test]
    fn prefixes_do_not_shadow_symbols() {
        // "m" alone is a metre, "ms" a millisecond, "mm" a millimetre, "Ms" a megasecond.
        assert_eq!(parse_unit("m").unwrap().dimension, Dimension::LENGTH);
        assert!(close(parse_unit("mm").unwrap().scale, 1e-3));
        assert!(close(parse_unit("Ms").unwrap().scale, 1e6));
        assert!(close(parse_unit("min").unwrap().scale, 60.0));
        assert!(parse_unit("mmin").is_err());
    }

    #[test]
    fn celsius_is_an_offset_scale() {
        let q = parse_quantity("6.3 degC").unwrap();
        assert_eq!(q.dimension, Dimension::TEMPERATURE);
        assert!(close(q.si_value, 279.45));
        assert!(parse_unit("degC/s").is_err());
    }

    #[test]
    fn bare_numbers_are_dimensionless() {
        let q = parse_quantity("0.25").unwrap();
        assert_eq!(q.dimension, Dimension::DIMENSIONLESS);
        assert_eq!(q.si_value, 0.25);
    }

    #[test]
    fn malformed_units_are_errors_with_positions() {
        let error = parse_quantity("20 mz").unwrap_err();
        assert_eq!(error.message, "unknown unit `mz`");
        assert_eq!(error.position, 3);
        let error = parse_quantity("ms").unwrap_err();
        assert!(error.message.contains("expected a number"));
        let error = parse_quantity("3 mV/").unwrap_err();
        assert!(error.message.contains("missing"), "{}", error.message);
        let error = parse_quantity("3 cm^").unwrap_err();
        assert!(error.message.contains("integer power"));
        let error = parse_quantity("3 (mV").unwrap_err();
        assert!(error.message.contains("`)`"));
        let error = parse_quantity("3 mV ?").unwrap_err();
        assert_eq!(error.position, 5);
        assert!(parse_quantity("").is_err());
        assert!(parse_quantity("1 cm^99").is_err());
    }

    #[test]
    fn dimensions_have_names_for_messages() {
        assert_eq!(Dimension::VOLTAGE.to_string(), "voltage");
        assert_eq!(
            Dimension::VOLTAGE.times(Dimension::TIME).to_string(),
            "m^2 kg s^-2 A^-1"
        );
    }
}
