"""What the demo class wrote (essays/demo.py): each classmate's own answer, of the quality a
real A Level class hands in — from a sustained argument to a narrative that drifts off the
question — so that levels, margin comments and bank comments all have something to say."""

from dataclasses import dataclass

from essays.models import CommentKind, Objective

ANSWERS = {
    "stalins-foreign-policy-objectives-defending-the-soviet-union": {
        # Sustained and substantiated: returned at level 4.
        "mpatel": (
            "Stalin's foreign policy in the 1930s was driven above all by the need to defend the "
            "Soviet Union, but the means he chose changed as the threat changed. After 1933 the "
            "danger was Nazi Germany, whose leader had promised living space in the east. "
            "Stalin's answer was collective security: the USSR joined the League of Nations in "
            "1934, signed mutual assistance pacts with France and Czechoslovakia in 1935, and the "
            "Comintern dropped its attacks on 'social fascists' to build popular fronts in France "
            "and Spain.\n\n"
            "The Munich Conference of September 1938 showed the limits of this policy. The Soviet "
            "Union was not invited, Czechoslovakia was abandoned, and Stalin concluded that "
            "Britain and France would rather turn Hitler east than fight him. The Nazi-Soviet "
            "Pact of August 1939 was therefore a change of method, not of aim: it bought time to "
            "rearm and, through its secret protocol, a buffer in eastern Poland and the Baltic "
            "States.\n\n"
            "Yet defence was not the whole story. The pact also let Stalin take territory, and "
            "the invasion of Finland in November 1939 is hard to explain as defence alone. "
            "Security was the main aim, but Stalin took land whenever security offered the "
            "excuse."
        ),
        # A clear argument, lightly supported: level 4 material.
        "osmith": (
            "Stalin's main aim was to defend the Soviet Union, and this is shown by his move away "
            "from world revolution. Unlike Trotsky, Stalin believed in 'Socialism in One "
            "Country', so the Comintern was told to protect the Soviet state rather than spread "
            "revolution abroad.\n\n"
            "Collective security was the clearest sign of a defensive policy. The USSR joined the "
            "League of Nations in 1934 and signed pacts with France and Czechoslovakia in 1935. "
            "When Britain and France gave the Sudetenland to Hitler at Munich in 1938 without "
            "asking Stalin, collective security had failed, and in 1939 he signed the Nazi-Soviet "
            "Pact to stay out of a war he was not ready for.\n\n"
            "However, Stalin also wanted to expand. The pact gave the USSR eastern Poland and "
            "later the Baltic States. Overall, defence was his main aim, because even the "
            "expansion created a buffer zone against attack from the west."
        ),
        # Accurate but largely descriptive: level 3.
        "akhan": (
            "In the 1930s Stalin was worried about being attacked by Germany and Japan. Japan "
            "invaded Manchuria in 1931, on the Soviet border, and in 1936 Germany and Japan "
            "signed the Anti-Comintern Pact, so the USSR could be attacked from both sides.\n\n"
            "Because of this Stalin joined the League of Nations in 1934. He also made treaties "
            "with France and Czechoslovakia. This was called collective security. In 1937 he "
            "signed a non-aggression pact with China and sent it weapons to keep Japan busy.\n\n"
            "Then in 1939 Stalin signed the Nazi-Soviet Pact with Hitler. This surprised everyone "
            "because they were enemies. It meant Germany would not attack the USSR and they split "
            "Poland between them. So Stalin's aim was mostly to defend the Soviet Union from "
            "attack."
        ),
        # Narrative that drifts off the question, with an error (Munich was in 1938): level 2.
        "nwilliams": (
            "Stalin became leader of the Soviet Union after Lenin died in 1924. He had many "
            "enemies like Trotsky and he got rid of them. He also started the five year plans to "
            "build up industry and the collectivisation of farms, which led to famine.\n\n"
            "In foreign policy Stalin joined the League of Nations. Hitler came to power in 1933 "
            "and he hated communism. There was the Munich agreement in 1939 where Britain and "
            "France let Hitler take Czechoslovakia. Then Stalin made a pact with Hitler and they "
            "invaded Poland.\n\n"
            "I think Stalin wanted to defend the Soviet Union because he was scared of Hitler, "
            "but he also wanted more land."
        ),
        # Uses interpretations well, judgement a little thin: level 4.
        "zahmed": (
            "Historians disagree about how far Stalin's foreign policy was defensive. Jonathan "
            "Haslam argues that Stalin genuinely sought collective security with the West from "
            "1934 to 1938, while Robert Tucker argues that he wanted a deal with Germany all "
            "along and kept talking to Berlin throughout.\n\n"
            "The evidence supports a mainly defensive aim. The Soviet Union joined the League of "
            "Nations in 1934, signed the Franco-Soviet and Czech-Soviet pacts of 1935 and backed "
            "the Spanish Republic from 1936. These were costly commitments for a state that "
            "wanted to be left alone to build socialism in one country.\n\n"
            "The Nazi-Soviet Pact does not overturn this. After Munich, and after the slow "
            "Anglo-French military mission to Moscow in August 1939, Stalin had little reason to "
            "trust the West. The pact kept the USSR out of war and pushed its border west. It was "
            "opportunistic, but its opportunism served the same defensive goal."
        ),
        # Still a draft.
        "ibrown": (
            "Stalin's foreign policy aims changed during the 1930s. At first the Comintern "
            "attacked other socialist parties, but after Hitler came to power Stalin looked for "
            "allies against Germany.\n\n"
            "Collective security: League of Nations 1934, pacts with France and Czechoslovakia "
            "1935. Need to add Munich and the pact."
        ),
    },
    "the-treaty-of-versailles-a-harsh-peace": {
        "mpatel": (
            "Versailles was resented in Germany, but the question is whether it was too harsh, "
            "and that depends on what the Allies needed it to do."
        ),
        "osmith": (
            "The Treaty of Versailles was harsh on Germany, but it was not as harsh as Germans "
            "claimed. Germany lost Alsace-Lorraine, the Polish Corridor and its colonies, its "
            "army was limited to 100,000 men, and Article 231 blamed it for the war.\n\n"
            "Reparations of 132 billion gold marks were set in 1921, and Keynes called the "
            "treaty a Carthaginian peace. But the Dawes Plan of 1924 and the Young Plan of 1929 "
            "cut the payments, and Germany was left united with its industry intact. The treaty "
            "was harsh enough to be hated but too weak to be enforced."
        ),
        "nwilliams": (
            "The Treaty of Versailles was signed in 1919 after the First World War. The Big "
            "Three were Wilson, Lloyd George and Clemenceau."
        ),
    },
    "the-alliance-system-and-the-outbreak-of-the-first-world-war": {
        "mpatel": (
            "The alliance system explains why the war spread, not why it began. In July 1914 "
            "Russia mobilised to support Serbia, Germany declared war on Russia and France, and "
            "the invasion of Belgium brought Britain in: within a week a Balkan quarrel had "
            "become a European war. Yet the alliances were not automatic. Italy stayed neutral "
            "despite the Triple Alliance, and Britain's Entente with France was an "
            "understanding, not a binding treaty.\n\n"
            "The decisive causes lay in Berlin and Vienna. The 'blank cheque' of 5 July "
            "encouraged Austria-Hungary to crush Serbia, and the Schlieffen Plan meant a war with "
            "Russia had to begin with an attack on France through Belgium. The alliances made a "
            "general war possible; German decisions made it happen."
        ),
        "akhan": (
            "The alliance system was the main cause of the First World War because it split "
            "Europe into two armed camps: the Triple Alliance of Germany, Austria-Hungary and "
            "Italy, and the Triple Entente of Britain, France and Russia. When Franz Ferdinand "
            "was shot in Sarajevo on 28 June 1914, Austria declared war on Serbia and the "
            "alliances pulled the others in one after another.\n\n"
            "Other causes were militarism, imperialism and nationalism. The naval race made "
            "Britain and Germany enemies. But without the alliances the war would have stayed in "
            "the Balkans."
        ),
        "ljones": (
            "There were lots of causes of the First World War like the alliances, militarism, "
            "imperialism and nationalism. The alliances meant countries had to help each other. "
            "Germany had a big army and was building ships to compete with Britain. The war "
            "started when Archduke Franz Ferdinand was killed. I think the alliances were the "
            "main cause because they dragged everyone in."
        ),
    },
}

# Returned work: level, mark, what went well, even better if (a target a line), feedback.
MARKS = {
    "mpatel": (
        4,
        18,
        "A clear, sustained argument: collective security and Munich are explained precisely, "
        "and the Pact is treated as a change of method rather than of aim.",
        "Weigh Munich against the Pact more directly: which did more to shape Stalin's choices?\n"
        "Use a historian's interpretation to test your judgement on Finland.",
        "A strong answer. Plan the weighing before you write next time.",
    ),
}


@dataclass(frozen=True)
class Redraft:
    """A first attempt returned for redraft, and the redraft that answers its targets."""

    first: str
    level: int
    mark: int
    went_well: str
    targets: tuple[str, ...]
    feedback: str
    # Margin comments on the first attempt: the passage quoted, the comment, kind, objective.
    margin_comments: tuple[tuple[str, str, str, str], ...]
    second: str
    # The student's reply to each target, in order.
    replies: tuple[str, ...]


REDRAFT = Redraft(
    first=(
        "The Treaty of Versailles was signed in 1919 and many Germans thought it was too harsh. "
        "Germany lost Alsace-Lorraine to France and the Polish Corridor to Poland, as well as "
        "all its colonies. Its army was cut to 100,000 men and the Rhineland was "
        "demilitarised.\n\n"
        "The war guilt clause, Article 231, blamed Germany for the war, and reparations were "
        "set at 132 billion gold marks in 1921. Keynes said the reparations would ruin Germany, "
        "and in 1923 the French occupied the Ruhr and there was hyperinflation.\n\n"
        "On the other hand, Germany was not destroyed. It kept most of its land and industry. "
        "So the treaty was harsh but not too harsh."
    ),
    level=3,
    mark=13,
    went_well="Accurate knowledge of the territorial and military terms, with precise figures.",
    targets=(
        "Weigh the terms against what Germany imposed on Russia at Brest-Litovsk in 1918.",
        "Substantiate your judgement: say what 'too harsh' means, and test it against how much "
        "of the reparations bill was actually paid after the Dawes and Young Plans.",
    ),
    feedback="Redraft this against your two targets before the next lesson.",
    margin_comments=(
        (
            "Germany lost Alsace-Lorraine to France and the Polish Corridor to Poland",
            "Precise, well-chosen evidence: dates, names and agreements prove your point rather "
            "than decorate it.",
            CommentKind.STRENGTH,
            Objective.AO1,
        ),
        (
            "Germany was not destroyed. It kept most of its land and industry.",
            "Use precise dates and names to support this point.",
            CommentKind.TARGET,
            Objective.AO1,
        ),
        (
            "So the treaty was harsh but not too harsh.",
            "Your judgement is asserted rather than substantiated: prove it with the evidence "
            "from your paragraphs.",
            CommentKind.TARGET,
            Objective.AO1,
        ),
    ),
    second=(
        "The Treaty of Versailles was signed in June 1919 and many Germans thought it was too "
        "harsh. Germany lost Alsace-Lorraine to France and the Polish Corridor to Poland, as "
        "well as all its colonies: about thirteen per cent of its European territory. Its army "
        "was cut to 100,000 men and the Rhineland was demilitarised.\n\n"
        "The war guilt clause, Article 231, blamed Germany for the war, and reparations were "
        "set at 132 billion gold marks in 1921. Keynes argued in The Economic Consequences of "
        "the Peace that they would ruin Germany, and the occupation of the Ruhr in 1923 and the "
        "hyperinflation that followed seemed to prove him right.\n\n"
        "Yet the terms look less harsh beside the Treaty of Brest-Litovsk, which Germany "
        "imposed on Russia in March 1918 and which took a third of Russia's population and most "
        "of its coal. Germany itself stayed united, with its industry intact. Reparations were "
        "cut by the Dawes Plan in 1924 and the Young Plan in 1929, and payments ended in 1932, "
        "so Germany paid only a fraction of the bill.\n\n"
        "A peace is too harsh if it punishes beyond what the loser can bear or beyond what is "
        "needed to keep the peace. By that test Versailles was not too harsh: it was bitterly "
        "resented, but Germany had recovered within a decade."
    ),
    replies=(
        "I added a paragraph comparing Versailles with Brest-Litovsk, which took far more from "
        "Russia than Versailles took from Germany.",
        "I defined 'too harsh' at the start of my conclusion and used the Dawes and Young Plans "
        "and the end of payments in 1932 to show how little was actually paid.",
    ),
)
