/**
 * Real facts about Descartes' works, objectors and correspondents, written for cogito in our
 * own words (they agree with the passages in src/corpus/data/descartes.ts, which the
 * verification cascade checks answers against). Each fact has at least two question
 * phrasings (one is kept back for evaluation) and at least one statement for training.
 * The first answer is the one the model is trained to give; the rest are accepted aliases.
 */

export interface DescartesFact {
  id: string;
  questions: readonly string[];
  statements: readonly string[];
  answers: readonly string[];
}

const ELISABETH = ['Elisabeth', 'Elisabeth of Bohemia', 'Princess Elisabeth', 'Elizabeth', 'Elizabeth of Bohemia'];
const MERSENNE = ['Mersenne', 'Marin Mersenne', 'Father Mersenne'];

export const DESCARTES_FACTS: readonly DescartesFact[] = [
  // ---------------------------------------------------------------- works
  {
    id: 'discourse-year',
    questions: ['In what year was the Discourse on the Method published?', 'When did the Discourse on the Method first appear?'],
    statements: ['The Discourse on the Method was published in 1637.'],
    answers: ['1637'],
  },
  {
    id: 'discourse-language',
    questions: ['In which language did Descartes write the Discourse on the Method?', 'What language is the Discourse on the Method written in?'],
    statements: ['Descartes wrote the Discourse on the Method in French, not in Latin.'],
    answers: ['French'],
  },
  {
    id: 'discourse-city',
    questions: ['In which city was the Discourse on the Method printed?', 'Where was the Discourse on the Method first published?'],
    statements: ['The Discourse on the Method was printed at Leiden.'],
    answers: ['Leiden', 'Leyden'],
  },
  {
    id: 'discourse-cogito',
    questions: ['In which work does Descartes first write "I think, therefore I am"?', 'Which book of Descartes first states "I think, therefore I am"?'],
    statements: ['The words "I think, therefore I am" first appear in the Discourse on the Method.'],
    answers: ['the Discourse', 'Discourse on the Method', 'the Discourse on Method'],
  },
  {
    id: 'essay-geometry',
    questions: ['Which essay printed with the Discourse treats curves and equations?', 'Which of the three essays after the Discourse is about algebra and curves?'],
    statements: ['The Geometry, one of the essays printed with the Discourse, treats curves by equations.'],
    answers: ['Geometry', 'the Geometry', 'La Geometrie'],
  },
  {
    id: 'essay-dioptrics',
    questions: ['Which essay printed with the Discourse deals with light and lenses?', 'Which of the three essays after the Discourse is about refraction and lenses?'],
    statements: ['The Dioptrics, printed with the Discourse, explains light, refraction and lenses.'],
    answers: ['Dioptrics', 'Optics', 'La Dioptrique'],
  },
  {
    id: 'essay-meteors',
    questions: ['Which essay printed with the Discourse explains the rainbow?', 'Which of the three essays after the Discourse is about clouds, winds and the rainbow?'],
    statements: ['The Meteors, printed with the Discourse, explains clouds, winds and the rainbow.'],
    answers: ['Meteors', 'Meteorology', 'Les Meteores'],
  },
  {
    id: 'meditations-year',
    questions: ['In what year were the Meditations on First Philosophy published?', 'When did the Meditations first appear?'],
    statements: ['The Meditations on First Philosophy appeared in 1641.'],
    answers: ['1641'],
  },
  {
    id: 'meditations-language',
    questions: ['In which language were the Meditations first published?', 'What language did Descartes write the Meditations in?'],
    statements: ['Descartes wrote the Meditations in Latin for the learned.'],
    answers: ['Latin'],
  },
  {
    id: 'meditations-city',
    questions: ['In which city was the first edition of the Meditations published?', 'Where did the Meditations first appear in print?'],
    statements: ['The first edition of the Meditations was published in Paris.'],
    answers: ['Paris'],
  },
  {
    id: 'meditations-second-city',
    questions: ['In which city did the second edition of the Meditations appear?', 'Where was the second edition of the Meditations printed?'],
    statements: ['The second edition of the Meditations came out at Amsterdam.'],
    answers: ['Amsterdam'],
  },
  {
    id: 'meditations-second-year',
    questions: ['In what year did the second edition of the Meditations appear?', 'When was the second edition of the Meditations published?'],
    statements: ['The second edition of the Meditations was published in 1642.'],
    answers: ['1642'],
  },
  {
    id: 'meditations-count',
    questions: ['How many Meditations did Descartes write?', 'How many Meditations make up the Meditations on First Philosophy?'],
    statements: ['The Meditations on First Philosophy are six in number.'],
    answers: ['six', '6'],
  },
  {
    id: 'meditations-translator',
    questions: ['Who translated the Meditations into French?', 'Who made the French translation of the Meditations?'],
    statements: ['The Duc de Luynes translated the Meditations into French.'],
    answers: ['Luynes', 'Duc de Luynes', 'the Duke of Luynes'],
  },
  {
    id: 'meditations-french-year',
    questions: ['In what year did the French translation of the Meditations appear?', 'When were the Meditations first published in French?'],
    statements: ['The French version of the Meditations appeared in 1647.'],
    answers: ['1647'],
  },
  {
    id: 'meditation-demon',
    questions: ['In which Meditation does Descartes imagine a deceiving demon?', 'Which Meditation ends with the supposition of a malicious demon?'],
    statements: ['The malicious demon is supposed at the end of the First Meditation.'],
    answers: ['First', 'the First Meditation', 'the first', '1'],
  },
  {
    id: 'meditation-wax',
    questions: ['In which Meditation does the piece of wax appear?', 'Which Meditation contains the wax example?'],
    statements: ['The piece of wax is examined in the Second Meditation.'],
    answers: ['Second', 'the Second Meditation', 'the second', '2'],
  },
  {
    id: 'meditation-ontological',
    questions: ['In which Meditation does Descartes give the ontological argument?', 'Which Meditation proves God from the idea of a supremely perfect being?'],
    statements: ['The ontological argument for God is given in the Fifth Meditation.'],
    answers: ['Fifth', 'the Fifth Meditation', 'the fifth', '5'],
  },
  {
    id: 'meditation-bodies',
    questions: ['In which Meditation does Descartes prove that material things exist?', 'Which Meditation argues for the existence of bodies?'],
    statements: ['The existence of material things is proved in the Sixth Meditation.'],
    answers: ['Sixth', 'the Sixth Meditation', 'the sixth', '6'],
  },
  {
    id: 'principles-year',
    questions: ['In what year were the Principles of Philosophy published?', 'When did the Principles of Philosophy first appear?'],
    statements: ['The Principles of Philosophy were published in 1644.'],
    answers: ['1644'],
  },
  {
    id: 'principles-language',
    questions: ['In which language were the Principles of Philosophy first published?', 'What language were the Principles of Philosophy written in?'],
    statements: ['The Principles of Philosophy first appeared in Latin.'],
    answers: ['Latin'],
  },
  {
    id: 'principles-dedicatee',
    questions: ['To whom did Descartes dedicate the Principles of Philosophy?', 'Who is the dedicatee of the Principles of Philosophy?'],
    statements: ['Descartes dedicated the Principles of Philosophy to Princess Elisabeth.'],
    answers: ELISABETH,
  },
  {
    id: 'principles-translator',
    questions: ['Who translated the Principles of Philosophy into French?', 'Who made the French version of the Principles of Philosophy?'],
    statements: ['Claude Picot translated the Principles of Philosophy into French.'],
    answers: ['Picot', 'Claude Picot'],
  },
  {
    id: 'passions-year',
    questions: ['In what year was The Passions of the Soul published?', 'When did The Passions of the Soul appear?'],
    statements: ['The Passions of the Soul came out in 1649, the last book published in his lifetime.'],
    answers: ['1649'],
  },
  {
    id: 'passions-language',
    questions: ['In which language did Descartes write The Passions of the Soul?', 'What language is The Passions of the Soul written in?'],
    statements: ['The Passions of the Soul was written in French.'],
    answers: ['French'],
  },
  {
    id: 'passions-origin',
    questions: ['Whose letters with Descartes led to The Passions of the Soul?', 'Which correspondent prompted Descartes to write The Passions of the Soul?'],
    statements: ['The Passions of the Soul grew out of the letters between Descartes and Elisabeth.'],
    answers: ELISABETH,
  },
  {
    id: 'rules-language',
    questions: ['In which language did Descartes write the Rules for the Direction of the Mind?', 'What language are the Rules for the Direction of the Mind written in?'],
    statements: ['Descartes wrote the Rules for the Direction of the Mind in Latin and left them unfinished.'],
    answers: ['Latin'],
  },
  {
    id: 'world-year',
    questions: ['In what year did Descartes decide not to publish The World?', 'When did Descartes hold back The World from the press?'],
    statements: ['Descartes withheld The World from publication in 1633.'],
    answers: ['1633'],
  },
  {
    id: 'world-galileo',
    questions: ["Whose condemnation made Descartes withhold The World?", 'After the condemnation of which astronomer did Descartes hold back The World?'],
    statements: ['Descartes held back The World when he heard that Galileo had been condemned.'],
    answers: ['Galileo', 'Galileo Galilei'],
  },
  {
    id: 'standard-edition',
    questions: ["Who edited the standard edition of Descartes' works?", "Whose names are given to the standard edition of Descartes' works?"],
    statements: ['The standard edition of the works of Descartes is that of Adam and Tannery.'],
    answers: ['Adam and Tannery', 'Adam-Tannery', 'AT', 'Charles Adam and Paul Tannery'],
  },
  // ---------------------------------------------------------------- objectors
  {
    id: 'objections-first',
    questions: ['Who wrote the First Objections to the Meditations?', 'Which Dutch priest wrote the First Objections?'],
    statements: ['The First Objections were written by Caterus, a Dutch priest.'],
    answers: ['Caterus', 'Johannes Caterus'],
  },
  {
    id: 'objections-second',
    questions: ['Who gathered the Second Objections to the Meditations?', 'Who compiled the Second Objections?'],
    statements: ['Mersenne gathered the Second Objections from theologians and philosophers.'],
    answers: MERSENNE,
  },
  {
    id: 'objections-third',
    questions: ['Who wrote the Third Objections to the Meditations?', 'Which English philosopher wrote the Third Objections?'],
    statements: ['Thomas Hobbes wrote the Third Objections.'],
    answers: ['Hobbes', 'Thomas Hobbes'],
  },
  {
    id: 'objections-fourth',
    questions: ['Who wrote the Fourth Objections to the Meditations?', 'Which theologian wrote the Fourth Objections?'],
    statements: ['Antoine Arnauld, a young theologian, wrote the Fourth Objections.'],
    answers: ['Arnauld', 'Antoine Arnauld'],
  },
  {
    id: 'objections-fifth',
    questions: ['Who wrote the Fifth Objections to the Meditations?', 'Which philosopher and priest wrote the Fifth Objections?'],
    statements: ['Pierre Gassendi wrote the Fifth Objections.'],
    answers: ['Gassendi', 'Pierre Gassendi'],
  },
  {
    id: 'objections-seventh',
    questions: ['Who wrote the Seventh Objections to the Meditations?', 'Which Jesuit wrote the Seventh Objections?'],
    statements: ['The Jesuit Pierre Bourdin wrote the Seventh Objections.'],
    answers: ['Bourdin', 'Pierre Bourdin'],
  },
  {
    id: 'objections-count',
    questions: ['How many sets of objections appeared in the first edition of the Meditations?', 'How many sets of objections and replies did the 1641 Meditations contain?'],
    statements: ['The first edition of the Meditations printed six sets of objections with replies.'],
    answers: ['six', '6'],
  },
  {
    id: 'hobbes-country',
    questions: ['From which country did Hobbes come?', 'What was the home country of Thomas Hobbes?'],
    statements: ['Hobbes, the author of the Third Objections, was from England.'],
    answers: ['England', 'English'],
  },
  {
    id: 'gassendi-atomism',
    questions: ['Which ancient theory of matter did Gassendi defend?', 'Gassendi revived which doctrine of Epicurus?'],
    statements: ['Gassendi defended the atomism of Epicurus.'],
    answers: ['atomism', 'Epicurean atomism', 'atoms'],
  },
  {
    id: 'bourdin-order',
    questions: ['To which religious order did Bourdin belong?', 'Bourdin was a member of which order?'],
    statements: ['Bourdin belonged to the Jesuits.'],
    answers: ['Jesuits', 'Jesuit', 'Society of Jesus'],
  },
  {
    id: 'objections-translator',
    questions: ['Who translated the Objections and Replies into French?', 'Who made the French version of the Objections and Replies?'],
    statements: ['Claude Clerselier translated the Objections and Replies into French.'],
    answers: ['Clerselier', 'Claude Clerselier'],
  },
  // ---------------------------------------------------------------- correspondents
  {
    id: 'mersenne-order',
    questions: ['To which religious order did Mersenne belong?', 'Mersenne was a friar of which order?'],
    statements: ['Mersenne was a friar of the Minims.'],
    answers: ['Minims', 'Minim', 'Order of Minims'],
  },
  {
    id: 'mersenne-city',
    questions: ['In which city did Mersenne live?', 'Where did Mersenne keep his circle of letters?'],
    statements: ['Mersenne lived in Paris and passed letters among the learned.'],
    answers: ['Paris'],
  },
  {
    id: 'mersenne-chief',
    questions: ["Who was Descartes' chief correspondent?", 'Which friar wrote to Descartes more than anyone else?'],
    statements: ['Mersenne was the chief correspondent of Descartes.'],
    answers: MERSENNE,
  },
  {
    id: 'elisabeth-mind-body',
    questions: ['Which princess asked Descartes how the soul can move the body?', 'Who pressed Descartes in letters on how mind and body interact?'],
    statements: ['Princess Elisabeth asked Descartes how a thinking soul can move the body.'],
    answers: ELISABETH,
  },
  {
    id: 'elisabeth-start',
    questions: ['In what year did Elisabeth of Bohemia begin writing to Descartes?', 'When did the letters between Descartes and Elisabeth begin?'],
    statements: ['Elisabeth of Bohemia began her letters to Descartes in 1643.'],
    answers: ['1643'],
  },
  {
    id: 'christina-invitation',
    questions: ['Which queen invited Descartes to Stockholm?', 'Which queen brought Descartes to her court?'],
    statements: ['Queen Christina invited Descartes to Stockholm.'],
    answers: ['Christina', 'Christina of Sweden', 'Queen Christina'],
  },
  {
    id: 'christina-country',
    questions: ['Of which country was Christina queen?', 'Which country did Queen Christina rule?'],
    statements: ['Christina was the queen of Sweden.'],
    answers: ['Sweden'],
  },
  {
    id: 'chanut-host',
    questions: ['In whose house did Descartes stay in Stockholm?', 'Which French ambassador was host to Descartes in Stockholm?'],
    statements: ['In Stockholm Descartes lodged with the ambassador Chanut.'],
    answers: ['Chanut', 'Pierre Chanut'],
  },
  {
    id: 'huygens',
    questions: ['Which Dutch poet and secretary was a friend and correspondent of Descartes?', 'Which secretary to the Prince of Orange wrote often to Descartes?'],
    statements: ['Constantijn Huygens, poet and secretary, was a friend of Descartes.'],
    answers: ['Huygens', 'Constantijn Huygens'],
  },
  {
    id: 'more',
    questions: ['Which Cambridge Platonist wrote to Descartes in 1648 and 1649?', 'Which English philosopher from Cambridge exchanged letters with Descartes at the end of his life?'],
    statements: ['Henry More of Cambridge wrote to Descartes about extension and spirit.'],
    answers: ['More', 'Henry More'],
  },
  {
    id: 'regius',
    questions: ['Which follower did Descartes answer in the Comments on a Certain Broadsheet?', 'Which Utrecht professor of medicine did Descartes later disown?'],
    statements: ['Regius was an early follower whom Descartes later disowned.'],
    answers: ['Regius', 'Henricus Regius'],
  },
  {
    id: 'regius-city',
    questions: ['At which university did Regius teach?', 'In which city was Regius a professor of medicine?'],
    statements: ['Regius taught medicine at Utrecht.'],
    answers: ['Utrecht'],
  },
  {
    id: 'voetius',
    questions: ['Which Utrecht theologian attacked the philosophy of Descartes?', 'Against which theologian did Descartes write a long letter in 1643?'],
    statements: ['Voetius, a theologian at Utrecht, attacked the new philosophy of Descartes.'],
    answers: ['Voetius', 'Gisbertus Voetius'],
  },
  {
    id: 'beeckman',
    questions: ['Which Dutch scientist did Descartes meet at Breda?', 'Who turned the young Descartes towards mathematical physics in 1618?'],
    statements: ['At Breda Descartes met Isaac Beeckman.'],
    answers: ['Beeckman', 'Isaac Beeckman'],
  },
  // ---------------------------------------------------------------- life
  {
    id: 'birth-year',
    questions: ['In what year was Descartes born?', 'When was Descartes born?'],
    statements: ['Descartes was born in 1596.'],
    answers: ['1596'],
  },
  {
    id: 'birth-place',
    questions: ['Where was Descartes born?', 'In which town was Descartes born?'],
    statements: ['Descartes was born at La Haye in Touraine.'],
    answers: ['La Haye', 'La Haye en Touraine'],
  },
  {
    id: 'school',
    questions: ['At which Jesuit college was Descartes educated?', 'Which school did Descartes attend as a boy?'],
    statements: ['Descartes studied at the Jesuit college of La Fleche.'],
    answers: ['La Fleche', 'La Flèche'],
  },
  {
    id: 'law-degree',
    questions: ['At which university did Descartes take a degree in law?', 'Where did Descartes study law?'],
    statements: ['Descartes took his law degree at Poitiers in 1616.'],
    answers: ['Poitiers'],
  },
  {
    id: 'breda-year',
    questions: ['In what year did Descartes meet Beeckman?', 'When did Descartes and Beeckman first meet?'],
    statements: ['Descartes met Beeckman in 1618.'],
    answers: ['1618'],
  },
  {
    id: 'dreams-year',
    questions: ['In what year did Descartes have his three dreams?', 'When did Descartes dream the dreams he took as his calling?'],
    statements: ['Descartes had his three dreams in November 1619.'],
    answers: ['1619'],
  },
  {
    id: 'netherlands',
    questions: ['In which country did Descartes live for about twenty years?', 'Where did Descartes settle around 1628?'],
    statements: ['Descartes lived in the Dutch Republic for about twenty years.'],
    answers: ['the Netherlands', 'Netherlands', 'the Dutch Republic', 'Holland', 'the United Provinces'],
  },
  {
    id: 'death-city',
    questions: ['In which city did Descartes die?', 'Where did Descartes die?'],
    statements: ['Descartes died in Stockholm.'],
    answers: ['Stockholm'],
  },
  {
    id: 'death-year',
    questions: ['In what year did Descartes die?', 'When did Descartes die?'],
    statements: ['Descartes died in 1650.'],
    answers: ['1650'],
  },
];
