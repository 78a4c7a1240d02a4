package lists

import (
	"strings"
	"unicode/utf8"
)

// countryTable is the country-name → ISO 3166-1 alpha-2 table that every
// parser shares: one line per code, then the names the lists use for it
// (ISO short names, UN formal names, OFAC's "Korea, North" style, common
// English names and a few territories lists name as places). Matching folds
// case, diacritics and punctuation, so "Cote d'Ivoire" and "COTE D IVOIRE"
// are one entry, and a name written "X, Y" is also tried as "Y X".
const countryTable = `
AD|Andorra
AE|United Arab Emirates|UAE|U.A.E.|Emirates
AF|Afghanistan
AG|Antigua and Barbuda
AI|Anguilla
AL|Albania
AM|Armenia
AN|Netherlands Antilles
AO|Angola
AQ|Antarctica
AR|Argentina
AS|American Samoa
AT|Austria
AU|Australia
AW|Aruba
AX|Åland Islands|Aland Islands
AZ|Azerbaijan
BA|Bosnia and Herzegovina|Bosnia-Herzegovina|Bosnia
BB|Barbados
BD|Bangladesh
BE|Belgium
BF|Burkina Faso
BG|Bulgaria
BH|Bahrain
BI|Burundi
BJ|Benin
BL|Saint Barthélemy|Saint Barthelemy
BM|Bermuda
BN|Brunei|Brunei Darussalam
BO|Bolivia|Bolivia (Plurinational State of)|Plurinational State of Bolivia
BQ|Bonaire, Sint Eustatius and Saba|Caribbean Netherlands
BR|Brazil
BS|Bahamas|Bahamas, The
BT|Bhutan
BV|Bouvet Island
BW|Botswana
BY|Belarus
BZ|Belize
CA|Canada
CC|Cocos (Keeling) Islands|Cocos Islands
CD|Congo, Democratic Republic of the|Democratic Republic of the Congo|Congo (Kinshasa)|Congo-Kinshasa|DRC|D.R.C.|Zaire
CF|Central African Republic
CG|Congo|Congo, Republic of the|Republic of the Congo|Congo (Brazzaville)|Congo-Brazzaville
CH|Switzerland
CI|Côte d'Ivoire|Cote d Ivoire|Ivory Coast
CK|Cook Islands
CL|Chile
CM|Cameroon
CN|China|People's Republic of China|China, People's Republic of|PRC|P.R.C.|P.R. China|Mainland China
CO|Colombia
CR|Costa Rica
CU|Cuba
CV|Cabo Verde|Cape Verde
CW|Curaçao|Curacao
CX|Christmas Island
CY|Cyprus
CZ|Czechia|Czech Republic
DE|Germany|Federal Republic of Germany
DJ|Djibouti
DK|Denmark
DM|Dominica
DO|Dominican Republic
DZ|Algeria
EC|Ecuador
EE|Estonia
EG|Egypt
EH|Western Sahara
ER|Eritrea
ES|Spain
ET|Ethiopia
FI|Finland
FJ|Fiji
FK|Falkland Islands|Falkland Islands (Malvinas)
FM|Micronesia|Micronesia, Federated States of|Micronesia (Federated States of)
FO|Faroe Islands
FR|France
GA|Gabon
GB|United Kingdom|United Kingdom of Great Britain and Northern Ireland|UK|U.K.|Great Britain|Britain|England|Scotland|Wales|Northern Ireland
GD|Grenada
GE|Georgia
GF|French Guiana
GG|Guernsey
GH|Ghana
GI|Gibraltar
GL|Greenland
GM|Gambia|Gambia, The
GN|Guinea
GP|Guadeloupe
GQ|Equatorial Guinea
GR|Greece
GS|South Georgia and the South Sandwich Islands
GT|Guatemala
GU|Guam
GW|Guinea-Bissau
GY|Guyana
HK|Hong Kong|China, Hong Kong Special Administrative Region|Hong Kong SAR|Hong Kong, China|Hong Kong Special Administrative Region
HM|Heard Island and McDonald Islands
HN|Honduras
HR|Croatia
HT|Haiti
HU|Hungary
ID|Indonesia
IE|Ireland
IL|Israel
IM|Isle of Man
IN|India
IO|British Indian Ocean Territory
IQ|Iraq
IR|Iran|Iran (Islamic Republic of)|Iran, Islamic Republic of|Islamic Republic of Iran
IS|Iceland
IT|Italy
JE|Jersey
JM|Jamaica
JO|Jordan
JP|Japan
KE|Kenya
KG|Kyrgyzstan|Kyrgyz Republic
KH|Cambodia
KI|Kiribati
KM|Comoros
KN|Saint Kitts and Nevis|St. Kitts and Nevis
KP|Korea, North|North Korea|Democratic People's Republic of Korea|Korea, Democratic People's Republic of|DPRK|D.P.R.K.
KR|Korea, South|South Korea|Republic of Korea|Korea, Republic of|ROK
KW|Kuwait
KY|Cayman Islands
KZ|Kazakhstan
LA|Laos|Lao People's Democratic Republic|Lao PDR
LB|Lebanon
LC|Saint Lucia|St. Lucia
LI|Liechtenstein
LK|Sri Lanka
LR|Liberia
LS|Lesotho
LT|Lithuania
LU|Luxembourg
LV|Latvia
LY|Libya|Libyan Arab Jamahiriya
MA|Morocco
MC|Monaco
MD|Moldova|Republic of Moldova|Moldova, Republic of
ME|Montenegro
MF|Saint Martin|Saint Martin (French part)
MG|Madagascar
MH|Marshall Islands
MK|North Macedonia|Republic of North Macedonia|Macedonia|The former Yugoslav Republic of Macedonia
ML|Mali|Northern Mali
MM|Burma|Myanmar
MN|Mongolia
MO|Macau|Macao|China, Macao Special Administrative Region
MP|Northern Mariana Islands
MQ|Martinique
MR|Mauritania
MS|Montserrat
MT|Malta
MU|Mauritius
MV|Maldives
MW|Malawi
MX|Mexico
MY|Malaysia
MZ|Mozambique
NA|Namibia
NC|New Caledonia
NE|Niger
NF|Norfolk Island
NG|Nigeria
NI|Nicaragua
NL|Netherlands|Kingdom of the Netherlands|Holland
NO|Norway
NP|Nepal
NR|Nauru
NU|Niue
NZ|New Zealand
OM|Oman
PA|Panama
PE|Peru
PF|French Polynesia
PG|Papua New Guinea
PH|Philippines
PK|Pakistan
PL|Poland
PM|Saint Pierre and Miquelon
PN|Pitcairn
PR|Puerto Rico
PS|Palestine|State of Palestine|Palestinian|Palestinian Territories|Occupied Palestinian Territory|West Bank|Gaza|Gaza Strip|West Bank and Gaza
PT|Portugal
PW|Palau
PY|Paraguay
QA|Qatar
RE|Réunion|Reunion
RO|Romania
RS|Serbia
RU|Russia|Russian Federation
RW|Rwanda
SA|Saudi Arabia
SB|Solomon Islands
SC|Seychelles
SD|Sudan
SE|Sweden
SG|Singapore
SH|Saint Helena|Saint Helena, Ascension and Tristan da Cunha
SI|Slovenia
SJ|Svalbard and Jan Mayen
SK|Slovakia|Slovak Republic
SL|Sierra Leone
SM|San Marino
SN|Senegal
SO|Somalia
SR|Suriname
SS|South Sudan
ST|Sao Tome and Principe|São Tomé and Príncipe
SV|El Salvador
SX|Sint Maarten|Sint Maarten (Dutch part)
SY|Syria|Syrian Arab Republic
SZ|Eswatini|Swaziland
TC|Turks and Caicos Islands
TD|Chad
TF|French Southern Territories
TG|Togo
TH|Thailand
TJ|Tajikistan
TK|Tokelau
TL|Timor-Leste|East Timor
TM|Turkmenistan
TN|Tunisia
TO|Tonga
TR|Turkey|Türkiye|Turkiye
TT|Trinidad and Tobago
TV|Tuvalu
TW|Taiwan|Taiwan, Province of China|Chinese Taipei
TZ|Tanzania|United Republic of Tanzania|Tanzania, United Republic of
UA|Ukraine|Crimea
UG|Uganda
UM|United States Minor Outlying Islands
US|United States|United States of America|USA|U.S.A.|U.S.
UY|Uruguay
UZ|Uzbekistan
VA|Holy See|Vatican City|Holy See (Vatican City State)
VC|Saint Vincent and the Grenadines|St. Vincent and the Grenadines
VE|Venezuela|Venezuela (Bolivarian Republic of)|Bolivarian Republic of Venezuela
VG|Virgin Islands, British|British Virgin Islands
VI|Virgin Islands, U.S.|U.S. Virgin Islands|United States Virgin Islands
VN|Vietnam|Viet Nam
VU|Vanuatu
WF|Wallis and Futuna
WS|Samoa
XK|Kosovo
YE|Yemen
YT|Mayotte
ZA|South Africa
ZM|Zambia
ZW|Zimbabwe
`

var (
	countryByName = map[string]string{} // folded name → code
	countryCodes  = map[string]bool{}   // valid codes
)

func init() {
	for line := range strings.SplitSeq(countryTable, "\n") {
		fields := strings.Split(line, "|")
		if len(fields) < 2 {
			continue
		}
		code := fields[0]
		countryCodes[code] = true
		for _, name := range fields[1:] {
			countryByName[foldCountry(name)] = code
			if swapped, ok := swapComma(name); ok {
				countryByName[foldCountry(swapped)] = code
			}
		}
	}
}

// CountryCode returns the ISO 3166-1 alpha-2 code for a country as the lists
// write it: a code in upper case ("IR"), an English or UN name ("Iran",
// "Iran (Islamic Republic of)"), OFAC's inverted form ("Korea, North",
// "Congo, Democratic Republic of the") or a place the lists give as a country
// ("West Bank", "Region: Crimea"). It reports false when s names no known
// country ("undetermined", "former Soviet Union").
func CountryCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 2 && countryCodes[s] {
		return s, true
	}
	if len(s) > 64 {
		return "", false
	}
	if rest, ok := strings.CutPrefix(s, "Region:"); ok {
		s = rest
	}
	keys := []string{foldCountry(s)}
	if swapped, ok := swapComma(s); ok {
		keys = append(keys, foldCountry(swapped))
	}
	for _, key := range keys {
		if code, ok := countryByName[key]; ok {
			return code, true
		}
		if rest, ok := strings.CutPrefix(key, "the "); ok {
			if code, ok := countryByName[rest]; ok {
				return code, true
			}
		}
	}
	return "", false
}

// swapComma turns "Korea, North" into "North Korea".
func swapComma(s string) (string, bool) {
	before, after, ok := strings.Cut(s, ",")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(after) + " " + strings.TrimSpace(before), true
}

// foldCountry lowers case, folds the Latin diacritics country names use and
// turns every other non-alphanumeric character into a single space.
func foldCountry(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		r = foldLatin(r)
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			space = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + ('a' - 'A'))
			space = false
		case r == '.':
			// "U.S.A." and "USA" are one name.
		case r == '&':
			if !space {
				b.WriteByte(' ')
			}
			b.WriteString("and ")
			space = true
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// foldLatin maps the accented Latin letters found in country names to their
// base letter.
func foldLatin(r rune) rune {
	if r < 0xC0 {
		return r
	}
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'À', 'Á', 'Â', 'Ã', 'Ä', 'Å':
		return 'a'
	case 'ç', 'Ç':
		return 'c'
	case 'è', 'é', 'ê', 'ë', 'È', 'É', 'Ê', 'Ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï', 'Ì', 'Í', 'Î', 'Ï':
		return 'i'
	case 'ñ', 'Ñ':
		return 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'Ò', 'Ó', 'Ô', 'Õ', 'Ö', 'Ø':
		return 'o'
	case 'ù', 'ú', 'û', 'ü', 'Ù', 'Ú', 'Û', 'Ü':
		return 'u'
	case 'ý', 'ÿ', 'Ý':
		return 'y'
	}
	return r
}
