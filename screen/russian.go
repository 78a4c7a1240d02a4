package screen

import "strings"

// Russian names of organizations appear on the lists in Cyrillic, in
// transliteration ("Izhevskiy Mashinostroitelnyy Zavod") and in
// translation ("Izhevsk Machine Building Plant"). The common words of such
// names are offered, once transliterated, with their English translation as
// an alternative spelling, and place adjectives ("Muromskiy") with the
// place they derive from ("Murom"). Compounds translated as two English
// words are written joined ("instrumentmaking"), matching the two listed
// words written together.

// russianWords maps transliterated Russian words (in their common
// inflections) to English.
var russianWords = map[string]string{}

func init() {
	add := func(en string, forms ...string) {
		for _, f := range forms {
			russianWords[f] = en
		}
	}
	add("plant", "zavod", "zavoda", "zavody")
	add("concern", "kontsern", "kontserna")
	add("association", "obedinenie", "obyedinenie", "obedineniye", "obyedineniye", "assotsiatsiya")
	add("scientific", "nauchno", "nauchnyy", "nauchnyi", "nauchnoe", "nauchnoye", "nauchnaya")
	add("research", "issledovatelskiy", "issledovatelskii", "issledovatelskaya", "issledovatelskoe", "issledovatelskogo")
	add("production", "proizvodstvennoe", "proizvodstvennoye", "proizvodstvennaya", "proizvodstvennyy", "proizvodstvennyi")
	add("institute", "institut", "instituta")
	add("center", "tsentr", "tsentra")
	add("group", "gruppa", "gruppy")
	add("technology", "tekhnologii", "tekhnologiya", "tekhnologiy")
	add("systems", "sistemy", "sistema", "sistem")
	add("state", "gosudarstvennyy", "gosudarstvennyi", "gosudarstvennaya", "gosudarstvennoe", "gosudarstvennoye")
	add("federal", "federalnoe", "federalnoye", "federalnyy", "federalnyi", "federalnaya")
	add("russian", "rossiyskiy", "rossiyskii", "rossiyskaya", "rossiyskoe", "rossiyskoye", "rossiyskikh")
	add("united", "obedinennaya", "obyedinennaya", "obedinennyy", "obyedinennyy")
	add("instrumentmaking", "priborostroitelnyy", "priborostroitelnyi", "priborostroitelnyj", "priborostroitelnogo", "priborostroitelnaya")
	add("machinebuilding", "mashinostroitelnyy", "mashinostroitelnyi", "mashinostroitelnyj", "mashinostroitelnogo", "mashinostroitelnaya")
	add("mechanical", "mekhanicheskiy", "mekhanicheskii", "mekhanicheskiy", "mekhanicheskaya")
	add("electronics", "elektronika", "elektroniki", "elektronnyy", "elektronnaya")
	add("partnership", "tovarishchestvo")
	add("agency", "agentstvo")
	add("administration", "upravlenie", "upravleniye")
	add("ministry", "ministerstvo")
	add("university", "universitet", "universiteta")
	add("academy", "akademiya", "akademii")
	add("fund", "fond", "fonda")
	add("service", "sluzhba")
	add("bureau", "byuro")
	add("design", "konstruktorskoe", "konstruktorskoye", "konstruktorskoye")
	add("experimental", "opytnoe", "opytnoye", "opytnyy")
	add("oil", "neftyanaya", "neftyanoy", "neftyanoe")
	add("marine", "morskoy", "morskaya", "morskoe")
	add("trading", "torgovyy", "torgovyi", "torgovaya")
	add("house", "dom")
	add("investment", "investitsionnaya", "investitsionnyy")
	add("construction", "stroitelnaya", "stroitelnyy", "stroitelstvo")
	add("energy", "energiya", "energii")
	add("industrial", "promyshlennaya", "promyshlennyy", "promyshlennoe")
	add("chemical", "khimicheskiy", "khimicheskaya", "khimicheskii")
	add("optical", "optiko", "opticheskiy", "opticheskaya")
	add("microelectronics", "mikroelektroniki", "mikroelektronika")
	add("republic", "respublika", "respubliki")
	add("regional", "oblastnaya", "oblastnoy", "oblastnoe")
	add("public", "obshchestvennaya", "obshchestvennoe")
	add("organization", "organizatsiya", "organizatsii")
	add("aviation", "aviatsionnyy", "aviatsionnaya", "aviatsionnoe")
	add("shipbuilding", "sudostroitelnyy", "sudostroitelnaya", "sudostroitelnoe")
	add("radio", "radiotekhnicheskiy", "radio")
	add("defense", "oboronnyy", "oboronnaya", "oboronnoe")
	add("holding", "kholding")
}

// placeAdjective returns the place a Russian place adjective derives from
// ("muromskiy" → "murom"), or "".
func placeAdjective(s string) string {
	for _, end := range []string{"skogo", "skoye", "skoe", "skaya", "skiy", "skii", "skij", "skyy", "sky"} {
		if stem, ok := strings.CutSuffix(s, end); ok && len(stem) >= 4 {
			return stem
		}
	}
	return ""
}

// russianAlt returns the alternative spelling of a transliterated Russian
// word, or "".
func russianAlt(s string) string {
	if en, ok := russianWords[s]; ok {
		return en
	}
	return placeAdjective(s)
}
